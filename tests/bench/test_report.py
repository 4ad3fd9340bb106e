"""The benchmark's report helpers: pure functions, no timing asserted (bench/run.py)."""

from bench.run import report_storage, write_section

MIB = 1024**2


def test_write_section_replaces_only_its_own_section(tmp_path):
    output = tmp_path / "performance.md"
    output.write_text(
        "# Performance\n\nIntro.\n\n<!-- a: begin -->\nold a\n<!-- a: end -->\n\n<!-- b: begin -->\nb\n<!-- b: end -->\n",
        encoding="utf-8",
    )

    write_section(output, "<!-- a: begin -->\nnew a\n<!-- a: end -->\n", "<!-- a: begin -->", "<!-- a: end -->")

    assert output.read_text(encoding="utf-8") == (
        "# Performance\n\nIntro.\n\n<!-- a: begin -->\nnew a\n<!-- a: end -->\n\n<!-- b: begin -->\nb\n<!-- b: end -->\n"
    )


def test_write_section_appends_when_the_file_has_none(tmp_path):
    output = tmp_path / "performance.md"
    output.write_text("# Performance\n\nIntro.\n", encoding="utf-8")

    write_section(output, "<!-- a: begin -->\na\n<!-- a: end -->\n", "<!-- a: begin -->", "<!-- a: end -->")

    assert output.read_text(encoding="utf-8") == "# Performance\n\nIntro.\n\n<!-- a: begin -->\na\n<!-- a: end -->\n"


def _row(text: str, name: str) -> list[str]:
    line = next(line for line in text.splitlines() if line.startswith(f"| {name} |"))
    return [cell.strip() for cell in line.strip("|").split("|")]


def test_report_storage_estimates_10_million_from_the_growth_between_sizes():
    stored = {
        10_000: {"activities": 1 * MIB, "activity indexes": 2 * MIB, "history": 3 * MIB, "database": 30 * MIB},
        1_000_000: {
            "activities": 100 * MIB,
            "activity indexes": 200 * MIB,
            "history": 300 * MIB,
            "database": 630 * MIB,
        },
    }

    text = report_storage([10_000, 1_000_000], stored, {10_000: 1.0, 1_000_000: 50.0}, "copy")

    # 99 MiB per 990 000 activities, so 900 MiB more for the 9 M to come.
    assert _row(text, "activities") == ["activities", "1 MiB", "100 MiB", "≈ 1 000 MiB"]
    assert _row(text, "history") == ["history", "3 MiB", "300 MiB", "≈ 3 000 MiB"]
    # The database grows by what the activities, their indexes and history grow by, no more.
    assert _row(text, "database") == ["database", "30 MiB", "630 MiB", "≈ 6 030 MiB"]


def test_report_storage_measured_at_10_million_estimates_nothing():
    stored = {10_000_000: {"activities": 1000 * MIB, "activity indexes": 1, "history": 1, "database": 2000 * MIB}}

    text = report_storage([10_000_000], stored, {10_000_000: 600.0}, "copy")

    assert "estimate" not in text
    assert _row(text, "activities") == ["activities", "1 000 MiB"]
