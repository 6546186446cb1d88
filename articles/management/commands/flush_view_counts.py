"""Write the view counters held in the cache to ArticleDailyViews.

Run it every minute or few from cron or a scheduler; pages also flush
opportunistically every few hundred views, so a missed run loses nothing
but freshness of the "most read" ranking.
"""

from django.core.management.base import BaseCommand

from articles.popularity import flush_view_counts


class Command(BaseCommand):
    help = "Flush cached article view counts into the database (run every minute)."

    def handle(self, *args, **options):
        written = flush_view_counts()
        self.stdout.write(f"Flushed {written} views.")
