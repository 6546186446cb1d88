vcl 4.1;

# The Newsroom edge: every rule, no backend. Include it from an entry file
# that defines the backend (default.vcl in production, the edge tests their
# own), so both run exactly this logic.
#
# The contract with the app (newsroom/edge.py, articles/cache.py):
# - public pages say `Cache-Control: public, ..., s-maxage=N` and name what
#   they show in `Surrogate-Key`; they are the same for every reader, so the
#   session cookie is dropped and one object serves everybody;
# - personal pages are private and are never stored here;
# - after a change the app sends `PURGE /` with `xkey-purge: key1 key2 ...`.

import std;
import vsthrottle;
import xkey;

# Who may purge: the app servers. Add each app host here, e.g. "10.0.0.5";
# or "10.0.0.0"/24;. Mind a TLS terminator or other proxy on this host: it
# connects from 127.0.0.1 for every reader, so either speak the PROXY
# protocol to Varnish (varnishd -a :6086,PROXY; client.ip is then the
# reader's) or keep it off loopback. Relayed requests are refused below too.
acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    # Set on a restart by vcl_synth only; never taken from a client.
    if (req.restarts == 0) {
        unset req.http.X-Serve-Stale;
    }

    if (req.method == "PURGE") {
        # Varnish has appended client.ip to X-Forwarded-For; a comma means
        # another proxy relayed the request for someone else.
        if (client.ip !~ purgers || req.http.X-Forwarded-For ~ ",") {
            return (synth(403, "Forbidden"));
        }
        if (!req.http.xkey-purge) {
            return (synth(400, "No xkey-purge header"));
        }
        # A hard purge: a withdrawn story must go at once, not live on in
        # grace (softpurge would keep it for stale-if-error).
        set req.http.X-Purged = xkey.purge(req.http.xkey-purge);
        return (synth(200, "Purged"));
    }

    if (req.method !~ "^(GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS)$") {
        return (synth(405));
    }
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    # Personal by nature: the reader's session must reach Django, and the
    # answer is theirs alone. /articles/ holds the save/unsave POSTs and the
    # view beacon.
    if (req.url ~ "^(/en)?/(account|admin|for-you|newsletters|articles|i18n)(/|$)"
        || req.url ~ "^(/en)?/healthz") {
        return (pass);
    }
    if (req.http.Authorization) {
        return (pass);
    }

    # A public page is the same document for everybody, signed in or not:
    # without the cookie, every reader shares one object.
    unset req.http.Cookie;
    # The language is in the path (/en/...), never taken from the browser;
    # without this, Django's `Vary: Accept-Language` on Arabic pages would
    # store one copy per distinct header value.
    unset req.http.Accept-Language;
    if (req.http.Accept-Encoding ~ "gzip") {
        set req.http.Accept-Encoding = "gzip";
    } else {
        unset req.http.Accept-Encoding;
    }
    call newsroom_normalise_url;

    # While the backend is healthy, an expired object is never served: a
    # page's TTL ends when a scheduled story comes due, and the story must
    # appear then. When it is sick, or a fetch has just failed (restart from
    # vcl_synth), any copy from the last day beats an error page.
    if (req.http.X-Serve-Stale || !std.healthy(req.backend_hint)) {
        set req.grace = 24h;
    } else {
        set req.grace = 0s;
    }
    return (hash);
}

# Campaign and click tags (the same list as newsroom/middleware.py) are read
# by analytics in the browser, never by the server; each shared link carries
# its own, so left in place every click would be a miss.
sub newsroom_normalise_url {
    if (req.url ~ "[?&](utm_\w+|fbclid|gclid|dclid|gbraid|wbraid|msclkid|igshid|mc_cid|mc_eid|_ga)(=|&|$)") {
        set req.url = regsuball(req.url,
            "(?<=[?&])(utm_\w+|fbclid|gclid|dclid|gbraid|wbraid|msclkid|igshid|mc_cid|mc_eid|_ga)(=[^&]*)?(&|$)",
            "");
    }
    set req.url = regsub(req.url, "[?&]+$", "");
    set req.url = std.querysort(req.url);
}

# Searches that reach the origin: at most 30 a minute per client,
# refused here beyond that (the origin has its own limit and a cap on searches
# at once, articles/search/guard.py; a flood stopped here costs it nothing).
# Searches the edge has stored are served whatever the count. client.identity
# is the client's address: behind a TLS terminator on this host, speak the
# PROXY protocol to Varnish, or every reader shares one count.
sub newsroom_throttle_search {
    if (req.url ~ "^(/en)?/search/\?(.*&)?q=[^&]" &&
        vsthrottle.is_denied("search:" + client.identity, 30, 60s)) {
        return (synth(429, "Too Many Requests"));
    }
}

sub vcl_miss {
    call newsroom_throttle_search;
}

sub vcl_pass {
    call newsroom_throttle_search;
}

sub vcl_hash {
    # An http:// request must reach Django's HTTPS redirect, not an https
    # page stored under the same URL. The built-in hash (URL, host) follows.
    hash_data(req.http.X-Forwarded-Proto);
}

sub vcl_synth {
    if (resp.status == 429) {
        set resp.http.Retry-After = "60";
        set resp.http.Cache-Control = "no-store";
        set resp.http.Content-Type = "text/plain; charset=utf-8";
        set resp.body = {"بحثت كثيرًا في وقت قصير؛ تمهّل دقيقة ثم أعد البحث.
Too many searches in a short time; please wait a minute and search again.
"};
        return (deliver);
    }
    if (req.method == "PURGE" && resp.status == 200) {
        set resp.http.Content-Type = "text/plain; charset=utf-8";
        set resp.body = "purged " + req.http.X-Purged + {"
"};
        return (deliver);
    }
    # A fetch for a shareable page failed (abandoned below): try once more,
    # allowed to serve a stale copy; without one the error stands.
    if (resp.status == 503 && req.restarts == 0 && !req.http.X-Serve-Stale
        && req.method ~ "^(GET|HEAD)$") {
        set req.http.X-Serve-Stale = "1";
        return (restart);
    }
}

sub vcl_backend_response {
    if (bereq.uncacheable) {
        # A pass: personal pages and POSTs go back exactly as Django sent them.
        return (deliver);
    }

    # An error instead of a page: abandon the fetch, so that a background
    # refresh leaves the stale object in place, and a foreground one ends in
    # vcl_synth, which restarts allowing grace. On that second try the error
    # is delivered (nothing stale was there to serve).
    if (beresp.status >= 500 && (bereq.is_bgfetch || !bereq.http.X-Serve-Stale)) {
        return (abandon);
    }

    # Honour the origin: only what it marks public is shared, and never
    # anything that sets a cookie (a safety net: public pages set none).
    # Hit-for-miss, so the next answer for this URL may still be stored.
    if (beresp.http.Cache-Control !~ "(?i)(^|[\s,])public([\s,]|$)"
        || beresp.http.Cache-Control ~ "(?i)private|no-store|no-cache"
        || beresp.http.Set-Cookie
        || beresp.http.Vary == "*") {
        set beresp.uncacheable = true;
        set beresp.ttl = 120s;
        return (deliver);
    }

    # xkey indexes the `xkey` header; the app speaks the standard name.
    if (beresp.http.Surrogate-Key) {
        set beresp.http.xkey = beresp.http.Surrogate-Key;
    }

    # The TTL is Varnish's reading of s-maxage (minus any Age). s-maxage=0
    # (a scheduled story due now) stores the page as already expired: never
    # served while the backend is healthy, kept for when it is not.
    if (beresp.ttl < 0s) {
        set beresp.ttl = 0s;
    }
    set beresp.grace = 24h;

    # Public pages only: a private page compressed next to text the reader
    # controls could leak secrets (BREACH), and public pages hold none.
    if (!beresp.http.Content-Encoding
        && beresp.http.Content-Type ~ "(?i)^(text/|application/(xml|rss\+xml|atom\+xml|json|javascript|ld\+json)|image/svg\+xml)") {
        set beresp.do_gzip = true;
    }
    # Skip the built-in rules: they would turn s-maxage=0 into hit-for-miss.
    return (deliver);
}

sub vcl_backend_error {
    # The backend is down or refused: same as a 5xx above.
    if (!bereq.uncacheable && (bereq.is_bgfetch || !bereq.http.X-Serve-Stale)) {
        return (abandon);
    }
}

sub vcl_deliver {
    # Keys are for purging here; readers need not see them.
    unset resp.http.xkey;
    unset resp.http.Surrogate-Key;
    if (obj.hits > 0) {
        set resp.http.X-Cache = "HIT";
    } else {
        set resp.http.X-Cache = "MISS";
    }
}
