"""Rebuild every article's stored search document.

Run after upgrading to a release that changes the analyser (the
normalisation rules, the stemmer, the plural lexicon or the stop words) or
the document's make-up, after restoring a database dump, or after importing
articles outside the admin. Safe to run at any time and to run twice: each
batch rewrites whole documents.
"""

import time

from django.core.management.base import BaseCommand

from articles.models import Article
from articles.search.documents import prune_search_documents, refresh_search_documents


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch-size",
            type=int,
            default=500,
            help="Articles read and written per batch (default 500).",
        )
        parser.add_argument(
            "--database", default="default", help="Database alias to rebuild."
        )

    def handle(self, *args, batch_size, database, **options):
        articles = Article.objects.using(database).all()
        total = articles.count()
        started = time.monotonic()
        self.stdout.write(f"Rebuilding search documents for {total} articles…")

        def progress(done):
            self.stdout.write(f"  {done}/{total}")

        # Batch by batch, not one transaction: editors saving meanwhile must
        # not wait minutes for row locks.
        written = refresh_search_documents(
            articles,
            batch_size=max(1, batch_size),
            progress=progress,
            rebuild_vocabulary=True,
        )
        pruned = prune_search_documents(using=database)
        elapsed = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Rebuilt {written} documents in {elapsed:.1f}s"
                f" (removed {pruned} stale index rows)."
            )
        )
