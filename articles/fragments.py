"""Rendered HTML of shared blocks, cached under a fingerprint of what they show.

A block's key is a fingerprint of the rows it displays (ids and last-modified
times, say), not the content version: publishing one story re-renders only
the blocks that story appears in, and every reader, signed in or not, shares
the rest. Blocks must hold nothing personal (no save buttons, no CSRF tokens).

Keys also carry the interface language (URLs and words differ) and a digest of
the project's templates, so a deploy that changes markup never serves HTML
rendered by the old templates.
"""

import hashlib
from functools import cache as memoize
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.template.loader import get_template
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

FRAGMENT_SECONDS = 24 * 3600


@memoize
def templates_digest() -> str:
    """A digest of every project template, computed once per process."""
    digest = hashlib.sha256()
    for path in sorted(Path(settings.BASE_DIR, "templates").rglob("*.html")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def fragment_key(template_name: str, fingerprint) -> str:
    raw = f"{templates_digest()}|{get_language()}|{template_name}|{fingerprint!r}"
    return "fragment:" + hashlib.sha256(raw.encode()).hexdigest()


def render_fragments(template_name: str, fingerprints, contexts_for) -> list[str]:
    """HTML for each fingerprint, in order, in one cache round trip.

    `contexts_for(missing)` builds the template contexts of the fingerprints
    the cache lacks (in their order), so the caller fetches rows only for
    blocks that really have to be rendered; those are stored together.
    """
    keys = [fragment_key(template_name, fingerprint) for fingerprint in fingerprints]
    found = cache.get_many(keys)
    missing = [
        (key, fingerprint)
        for key, fingerprint in zip(keys, fingerprints, strict=True)
        if key not in found
    ]
    if missing:
        template = get_template(template_name)
        contexts = contexts_for([fingerprint for _, fingerprint in missing])
        rendered = {
            key: template.render(context)
            for (key, _), context in zip(missing, contexts, strict=True)
        }
        cache.set_many(rendered, FRAGMENT_SECONDS)
        found.update(rendered)
    return [mark_safe(found[key]) for key in keys]  # noqa: S308 - our templates
