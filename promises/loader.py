"""Load a promise, with its organisations, areas and activity types, from a YAML file.

The file is the human-readable source of truth for a signed promise (see data/). Loading
is idempotent: every entry is matched on its natural key and only changed fields are
written, so loading the same file twice writes nothing and records no history. Any error
rolls the whole load back and names the entry at fault.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction

from promises.models import (
    ActivityType,
    Area,
    Commitment,
    Municipality,
    Organisation,
    Promise,
    Section,
    Signatory,
    Target,
)
from promises.revisions import promise_changed
from promises.selectors import municipality_find
from promises.services import structure_relation_set, structure_save, target_areas_set


class PromiseFileError(Exception):
    def __init__(self, where: str, message: str) -> None:
        super().__init__(f"{where}: {message}")
        self.where = where
        self.message = message


@dataclass
class LoadReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    promise: Promise | None = None
    changes: list[str] = field(default_factory=list)


def _require(entry: Any, key: str, where: str, kind: type | tuple[type, ...] = str) -> Any:
    if not isinstance(entry, dict):
        raise PromiseFileError(where, "expected a mapping of fields")
    if key not in entry or entry[key] is None:
        raise PromiseFileError(where, f"'{key}' is missing")
    value = entry[key]
    if not isinstance(value, kind):
        raise PromiseFileError(where, f"'{key}' has the wrong type ({type(value).__name__})")
    return value


def _list(entry: dict, key: str, where: str, *, required: bool = True) -> list:
    if key not in entry and not required:
        return []
    value = _require(entry, key, where, list)
    return value


class _Loader:
    def __init__(self) -> None:
        self.report = LoadReport()

    def upsert(self, model: type[models.Model], where: str, lookup: dict, values: dict) -> Any:
        """Create or update one row, writing only when a field actually differs."""
        obj = model._default_manager.filter(**lookup).first()  # `objects`, which Model does not declare
        if obj is None:
            obj = model(**lookup, **values)
            action = "created"
        else:
            changed = [name for name, value in values.items() if getattr(obj, name) != value]
            if not changed:
                self.report.unchanged += 1
                return obj
            for name in changed:
                setattr(obj, name, values[name])
            action = "updated"
        try:
            structure_save(obj=obj)
        except ValidationError as exc:
            raise PromiseFileError(where, _format_validation_error(exc)) from None
        except IntegrityError as exc:
            raise PromiseFileError(where, f"rejected by the database: {exc}") from None
        setattr(self.report, action, getattr(self.report, action) + 1)
        self.report.changes.append(f"{action}: {model._meta.verbose_name} {obj}")
        return obj

    def municipality(self, entry: Any, where: str) -> Municipality:
        """The municipality an entry names, by name ("Jönköping") or code ("0680")."""
        text = _require(entry, "municipality", where, (str, int))
        found = municipality_find(str(text))
        if found is None:
            raise PromiseFileError(
                where,
                f"unknown municipality '{text}': give one of Sweden's 290 by name or code, e.g. Jönköping or 0680",
            )
        return found

    def set_m2m(self, obj: models.Model, name: str, wanted: Sequence[models.Model]) -> None:
        if structure_relation_set(obj=obj, name=name, wanted=wanted):
            self.report.updated += 1
            self.report.changes.append(f"updated: {name} of {obj}")

    def load(self, data: Any) -> LoadReport:
        if not isinstance(data, dict):
            raise PromiseFileError("file", "expected a mapping with organisations, areas, activity_types, promise")
        organisations = self.load_organisations(_list(data, "organisations", "file"))
        areas = self.load_areas(_list(data, "areas", "file"))
        types = self.load_activity_types(_list(data, "activity_types", "file"), organisations)
        shared_changed = self.report.created + self.report.updated > 0
        self.report.promise = self.load_promise(_require(data, "promise", "file", dict), organisations, areas, types)
        self.load_served(_list(data, "organisations", "file"), organisations, self.report.promise)
        if shared_changed:
            # Organisations, areas and activity types are shown in every promise's follow-up.
            promise_changed(Promise.objects.values_list("pk", flat=True))
        elif self.report.created + self.report.updated > 0:
            promise_changed([self.report.promise.pk])
        return self.report

    def load_organisations(self, entries: list) -> dict[str, Organisation]:
        result = {}
        for i, entry in enumerate(entries):
            where = f"organisations[{i}]"
            short_name = _require(entry, "short_name", where)
            where = f"{where} ({short_name})"
            result[short_name] = self.upsert(
                Organisation,
                where,
                {"short_name": short_name},
                {"name": _require(entry, "name", where), "kind": _require(entry, "kind", where)},
            )
        return result

    def load_served(self, entries: list, organisations: dict[str, Organisation], promise: Promise) -> None:
        """The municipalities each organisation serves: those its entry lists (`municipalities:
        [Jönköping, Habo]`, by name or code), else the promise's. Added to what it served
        already: a police area loads one file per municipality it serves."""
        for i, entry in enumerate(entries):
            organisation = organisations[entry["short_name"]]
            where = f"organisations[{i}] ({entry['short_name']})"
            named = _list(entry, "municipalities", where, required=False)
            wanted = [self.municipality({"municipality": text}, f"{where}.municipalities") for text in named]
            served = list(organisation.municipalities.all())
            missing = [m for m in wanted or [promise.municipality] if m not in served]
            if missing:
                self.set_m2m(organisation, "municipalities", served + missing)

    def load_areas(self, entries: list) -> dict[str, Area]:
        result = {}
        for i, entry in enumerate(entries):
            where = f"areas[{i}]"
            name = _require(entry, "name", where)
            where = f"{where} ({name})"
            result[name] = self.upsert(
                Area,
                where,
                {"municipality": self.municipality(entry, where), "name": name},
                {
                    "slug": _require(entry, "slug", where),
                    "is_whole_municipality": bool(entry.get("is_whole_municipality", False)),
                    "description": entry.get("description", ""),
                    "aliases": _aliases(entry, where),
                },
            )
        return result

    def load_activity_types(self, entries: list, organisations: dict) -> dict[str, ActivityType]:
        result = {}
        for i, entry in enumerate(entries):
            where = f"activity_types[{i}]"
            code = _require(entry, "code", where)
            where = f"{where} ({code})"
            values = {
                "name": _require(entry, "name", where),
                "description": entry.get("description", ""),
                "aliases": _aliases(entry, where),
                "has_first_time_user": bool(entry.get("has_first_time_user", False)),
                "has_duration": bool(entry.get("has_duration", False)),
                "min_duration_minutes": entry.get("min_duration_minutes"),
                "requires_description": bool(entry.get("requires_description", False)),
                "max_quantity": entry.get("max_quantity", 50),
                "is_sensitive": bool(entry.get("is_sensitive", False)),
                "order": entry.get("order", 0),
            }
            activity_type = self.upsert(ActivityType, where, {"code": code}, values)
            allowed = [
                _lookup(organisations, name, f"{where}.organisations", "organisation")
                for name in _list(entry, "organisations", where)
            ]
            self.set_m2m(activity_type, "organisations", allowed)
            result[code] = activity_type
        return result

    def load_promise(self, entry: dict, organisations: dict, areas: dict, types: dict) -> Promise:
        where = "promise"
        year = _require(entry, "year", where, int)
        signed_on = entry.get("signed_on")
        if signed_on is not None and not isinstance(signed_on, date):
            raise PromiseFileError(where, "'signed_on' must be a date (YYYY-MM-DD) or null")
        promise = self.upsert(
            Promise,
            where,
            {"municipality": self.municipality(entry, where), "year": year},
            {
                "title": _require(entry, "title", where),
                "status": entry.get("status", Promise.Status.DRAFT),
                "general_commitment": _require(entry, "general_commitment", where),
                "background": entry.get("background", ""),
                "purpose": entry.get("purpose", ""),
                "how_developed": entry.get("how_developed", ""),
                "followup_description": entry.get("followup_description", ""),
                "signed_place": entry.get("signed_place", ""),
                "signed_on": signed_on,
            },
        )
        self.set_m2m(
            promise,
            "parties",
            [_lookup(organisations, n, f"{where}.parties", "organisation") for n in _list(entry, "parties", where)],
        )
        for i, signatory in enumerate(_list(entry, "signatories", where, required=False)):
            swhere = f"{where}.signatories[{i}]"
            org = _lookup(organisations, _require(signatory, "organisation", swhere), swhere, "organisation")
            self.upsert(
                Signatory,
                swhere,
                {"promise": promise, "organisation": org, "name": _require(signatory, "name", swhere)},
                {"role": _require(signatory, "role", swhere), "order": i},
            )
        targets_by_key: dict[str, Target] = {}
        pending_shares = []
        for i, section_entry in enumerate(_list(entry, "sections", where)):
            swhere = f"{where}.sections[{i}]"
            section = self.upsert(
                Section,
                swhere,
                {"promise": promise, "number": _require(section_entry, "number", swhere, int)},
                {"title": _require(section_entry, "title", swhere)},
            )
            for j, commitment_entry in enumerate(_list(section_entry, "commitments", swhere)):
                cwhere = f"{swhere}.commitments[{j}]"
                commitment = self.upsert(
                    Commitment,
                    cwhere,
                    {"section": section, "number": _require(commitment_entry, "number", cwhere, int)},
                    {"text": _require(commitment_entry, "text", cwhere)},
                )
                self.set_m2m(
                    commitment,
                    "responsible",
                    [
                        _lookup(organisations, n, f"{cwhere}.responsible", "organisation")
                        for n in _list(commitment_entry, "responsible", cwhere)
                    ],
                )
                for k, target_entry in enumerate(_list(commitment_entry, "targets", cwhere, required=False)):
                    key = _require(target_entry, "key", f"{cwhere}.targets[{k}]")
                    twhere = f"{cwhere}.targets[{k}] ({key})"
                    if key in targets_by_key:
                        raise PromiseFileError(twhere, "the key is used twice in this promise")
                    if "share_of" in target_entry:
                        # A share refers to its count target, which may come later in the file.
                        pending_shares.append((commitment, k, key, twhere, target_entry))
                        continue
                    targets_by_key[key] = self.load_target(
                        commitment, k, key, twhere, target_entry, areas, types, parent=None
                    )
        for commitment, k, key, twhere, target_entry in pending_shares:
            parent = _lookup(targets_by_key, target_entry["share_of"], f"{twhere}.share_of", "count target")
            if parent.kind != Target.Kind.COUNT:
                raise PromiseFileError(f"{twhere}.share_of", "must name a count target")
            targets_by_key[key] = self.load_target(
                commitment, k, key, twhere, target_entry, areas, types, parent=parent
            )
        return promise

    def load_target(self, commitment, order, key, where, entry, areas, types, *, parent) -> Target:
        kind = _require(entry, "kind", where)
        if kind not in Target.Kind.values:
            raise PromiseFileError(where, f"unknown kind '{kind}' (expected one of {', '.join(Target.Kind.values)})")
        activity_type = None
        if entry.get("activity_type") is not None:
            activity_type = _lookup(types, entry["activity_type"], f"{where}.activity_type", "activity type")
        share_percent = entry.get("share_percent")
        if share_percent is not None:
            try:
                share_percent = Decimal(str(share_percent)).quantize(Decimal("0.01"))
            except InvalidOperation:
                raise PromiseFileError(where, "'share_percent' must be a number") from None
        if kind == Target.Kind.SHARE and parent is not None:
            activity_type = parent.activity_type
        target = self.upsert(
            Target,
            where,
            {"commitment": commitment, "key": key},
            {
                "order": order,
                "kind": kind,
                "title": _require(entry, "title", where),
                "activity_type": activity_type,
                "count": entry.get("count"),
                "share_percent": share_percent,
                "parent": parent,
                "period": entry.get("period", ""),
                "reading": entry.get("reading", ""),
            },
        )
        area_names = _list(entry, "areas", where, required=False)
        if kind in (Target.Kind.COUNT, Target.Kind.CADENCE) and not area_names:
            raise PromiseFileError(where, "a count or cadence target needs at least one area")
        if len(set(area_names)) != len(area_names):
            raise PromiseFileError(f"{where}.areas", "an area is listed twice")
        wanted = [_lookup(areas, name, f"{where}.areas", "area") for name in area_names]
        if kind == Target.Kind.SHARE:
            wanted = list(parent.areas.all())
        if target_areas_set(target=target, areas=wanted):
            self.report.updated += 1
            self.report.changes.append(f"updated: areas of {target}")
        return target


def _aliases(entry: dict, where: str) -> list[str]:
    """The other names it goes by (`aliases: [Hela kommunen, Kommunen]`), as text."""
    aliases = _list(entry, "aliases", where, required=False)
    if not all(isinstance(alias, str | int) for alias in aliases):
        raise PromiseFileError(f"{where}.aliases", "expected a list of names")
    return [str(alias) for alias in aliases]


def _lookup(mapping: dict, name: Any, where: str, what: str) -> Any:
    try:
        return mapping[name]
    except (KeyError, TypeError):
        known = ", ".join(str(k) for k in mapping) or "none"
        raise PromiseFileError(where, f"unknown {what} '{name}' (known: {known})") from None


def _format_validation_error(exc: ValidationError) -> str:
    if hasattr(exc, "message_dict"):
        return "; ".join(f"{field}: {' '.join(str(m) for m in msgs)}" for field, msgs in exc.message_dict.items())
    return " ".join(str(m) for m in exc.messages)


def promise_load(*, data: Any) -> LoadReport:
    with transaction.atomic():
        return _Loader().load(data)


def promise_load_file(*, path: Path) -> LoadReport:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PromiseFileError(str(path), f"cannot be read: {exc}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise PromiseFileError(str(path), f"is not valid YAML: {exc}") from None
    return promise_load(data=data)
