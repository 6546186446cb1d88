vcl 4.1;

# Production entry: Django (gunicorn) on this host, then the shared rules.
# Run: varnishd -a :6081 -f /path/to/deploy/varnish/default.vcl -s malloc,1g
# and set EDGE_PURGE_URLS=http://127.0.0.1:6081/ for the app.

backend default {
    .host = "127.0.0.1";
    .port = "8000";
    # Sick after 3 failures in the last 5 probes: pages are then served from
    # grace (stale) instead of errors. /healthz checks the database.
    .probe = {
        .url = "/healthz";
        .interval = 2s;
        .timeout = 1s;
        .window = 5;
        .threshold = 3;
    }
}

include "./newsroom.vcl";
