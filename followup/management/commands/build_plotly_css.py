from django.core.management.base import BaseCommand

from followup.plotly_css import extract_plotly_styles, write_plotly_styles


class Command(BaseCommand):
    help = "Write plotly.js's stylesheets and their <link> include (needs Playwright and Debian's chromium)."

    def handle(self, *args, **options):
        write_plotly_styles(extract_plotly_styles())
        self.stdout.write(self.style.SUCCESS("Wrote static/css/plotly*.css and templates/includes/chart_styles.html"))
