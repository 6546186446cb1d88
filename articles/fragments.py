"""Blocks of a public page rendered once and reused until what they show changes.

The home page holds thirty-odd section blocks; rendering them all is most of
the cost of a miss, and a publish changes one of them. A block is stored
under what it shows (the ids of its stories, in order) and the versions of
its surrogate keys (articles.cache.key_versions): the purge signal that drops
the pages showing a story or section drops the blocks showing it too, so
this is the page cache's own invalidation one level down, not a cache with
rules of its own. Blocks hold nothing personal, as the pages they are part of.

Keys also carry the interface language and a digest of the templates and
translations, so a deploy that changes markup or words never serves HTML
made by the old ones.
"""

import hashlib
from functools import cache as memoize
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.template.loader import get_template
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from .cache import key_versions

FRAGMENT_SECONDS = 24 * 3600  # below KEY_VERSION_SECONDS, as key_versions asks


@memoize
def _deploy_digest() -> str:
    """A digest of the project's templates and message catalogues, once per
    process (a deploy starts new processes)."""
    digest = hashlib.sha256()
    base = Path(settings.BASE_DIR)
    files = [*(base / "templates").rglob("*.html"), *(base / "locale").rglob("*.mo")]
    for path in sorted(files):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def render_blocks(template_name, blocks, contexts_for):
    """The HTML of each block, in order, in two cache round trips.

    `blocks` are (what, keys) pairs: `what` says which rows the block shows
    (ids, in order), `keys` are the surrogate keys of those rows.
    `contexts_for([what, …])` builds the template contexts of the blocks the
    cache lacks, so rows are loaded only for blocks that must be rendered;
    an empty context renders nothing (the rows have gone meanwhile).
    """
    versions = key_versions({k for _, keys in blocks for k in keys})
    prefix = f"fragment:{_deploy_digest()}:{get_language()}:{template_name}:"
    cache_keys = [
        prefix
        + hashlib.sha256(
            repr((what, [(k, versions[k]) for k in keys])).encode()
        ).hexdigest()
        for what, keys in blocks
    ]
    found = cache.get_many(cache_keys)
    missing = [
        (cache_key, what)
        for cache_key, (what, _) in zip(cache_keys, blocks, strict=True)
        if cache_key not in found
    ]
    if missing:
        template = get_template(template_name)
        contexts = contexts_for([what for _, what in missing])
        rendered = {
            cache_key: template.render(context) if context else ""
            for (cache_key, _), context in zip(missing, contexts, strict=True)
        }
        cache.set_many(rendered, FRAGMENT_SECONDS)
        found.update(rendered)
    return [mark_safe(found[cache_key]) for cache_key in cache_keys]  # noqa: S308
