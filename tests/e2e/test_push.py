"""Web push in Chromium: the opt-in panel, and the service worker showing an alert.

Headless Chromium cannot make a real push subscription offline
(`pushManager.subscribe` needs Google's push service), so the opt-in test
replaces PushManager's subscribe/getSubscription with a synthetic
subscription (real P-256 keys, an http://localhost endpoint) before the
page's script runs. Everything else is real: the permission request, the
worker's registration, the CSRF token, the JSON posts and the rows they
make. The worker test registers the real /push-sw.js and dispatches a push
event inside it.
"""

import json
from urllib.parse import quote

import pytest
from playwright.sync_api import expect

from accounts.push.management.commands.generate_vapid_keys import generate_pair
from accounts.push.models import PushSubscription
from tests.accounts.push.browsers import Browser, b64url
from tests.factories import SectionFactory

ENDPOINT = "http://localhost:9/push/e2e-browser"

FAKE_PUSH_MANAGER = """
(subscription) => {
  window.permissionRequests = 0;
  const request = Notification.requestPermission.bind(Notification);
  Notification.requestPermission = () => {
    window.permissionRequests += 1;
    return request();
  };
  let current = null;
  const make = (options) => ({
    endpoint: subscription.endpoint,
    options: options,
    toJSON: () => subscription,
    unsubscribe: () => { current = null; localStorage.removeItem("fake-push"); return Promise.resolve(true); },
  });
  if (localStorage.getItem("fake-push")) {
    current = make({ applicationServerKey: null });
  }
  PushManager.prototype.subscribe = function (options) {
    window.subscribeOptions = {
      userVisibleOnly: options.userVisibleOnly,
      key: Array.from(new Uint8Array(options.applicationServerKey)),
    };
    current = make(options);
    localStorage.setItem("fake-push", "1");
    return Promise.resolve(current);
  };
  PushManager.prototype.getSubscription = function () {
    return Promise.resolve(current);
  };
}
"""


# A push event dispatched inside the worker, then the notifications it shows.
# Waits for the worker's own showNotification() call to settle (a
# script-made event cannot be waited on with waitUntil).
PUSH_AND_READ = """async (data) => {
  const registration = self.registration;
  const show = registration.showNotification.bind(registration);
  let shown = null;
  registration.showNotification = (title, options) => (shown = show(title, options));
  self.dispatchEvent(new PushEvent("push", {data: JSON.stringify(data)}));
  await shown;
  return (await registration.getNotifications()).map((n) => ({
    title: n.title, body: n.body, dir: n.dir, lang: n.lang,
    tag: n.tag, icon: n.icon, image: n.image, url: n.data.url,
  }));
}"""


@pytest.fixture
def push_on(settings):
    private, public = generate_pair()
    settings.VAPID_PRIVATE_KEY = private
    settings.VAPID_PUBLIC_KEY = public
    settings.VAPID_SUBJECT = "mailto:desk@example.com"
    settings.PUSH_ALLOW_LOCALHOST = True
    return public


def test_a_reader_opts_in_chooses_and_switches_it_off(
    push_on, live_server, context, page, url, shot
):
    sport = SectionFactory(name="رياضة")
    SectionFactory(name="اقتصاد")
    browser = Browser(endpoint=ENDPOINT)
    context.grant_permissions(["notifications"])
    context.add_init_script(f"({FAKE_PUSH_MANAGER})({json.dumps(browser.json)})")

    # The footer's bell leads to the panel; nothing is asked on the way.
    page.goto(url("/corrections/"))
    page.get_by_role("link", name="تنبيهات الأخبار العاجلة").click()
    panel = page.locator("[data-push-panel]")
    expect(panel).to_be_visible()
    expect(panel.get_by_role("status")).to_have_text("لا تصلك تنبيهات على هذا المتصفح.")
    assert page.evaluate("window.permissionRequests") == 0
    assert page.evaluate("navigator.serviceWorker.getRegistrations()") == []
    shot("push-opt-in-phone")

    panel.get_by_label("رياضة").check()
    panel.get_by_role("button", name="نبّهني بالأخبار العاجلة").click()

    expect(panel.get_by_role("status")).to_have_text(
        "حُفظت اختياراتك. ستصلك التنبيهات على هذا المتصفح."
    )
    assert page.evaluate("window.permissionRequests") == 1
    options = page.evaluate("window.subscribeOptions")
    assert options["userVisibleOnly"] is True
    assert b64url(bytes(options["key"])) == push_on
    subscription = PushSubscription.objects.get()
    assert subscription.endpoint == ENDPOINT
    assert subscription.wants_breaking
    assert list(subscription.sections.all()) == [sport]
    expect(panel.get_by_role("button", name="احفظ اختياراتي")).to_be_visible()

    # Back later: the panel shows what this browser chose, without asking.
    page.reload()
    expect(panel.get_by_role("status")).to_have_text(
        "التنبيهات مفعّلة على هذا المتصفح. غيّر اختياراتك أو أوقفها متى شئت."
    )
    expect(panel.get_by_label("رياضة")).to_be_checked()
    expect(panel.get_by_label("اقتصاد")).not_to_be_checked()
    assert page.evaluate("window.permissionRequests") == 0

    panel.get_by_role("button", name="أوقف التنبيهات").click()

    expect(panel.get_by_role("status")).to_have_text(
        "أوقفنا التنبيهات على هذا المتصفح."
    )
    assert not PushSubscription.objects.exists()


def test_the_panel_explains_when_notifications_are_blocked(
    push_on, live_server, context, page, url
):
    context.clear_permissions()
    page.goto(url("/notifications/"))
    page.evaluate("Notification.requestPermission = () => Promise.resolve('denied')")

    page.get_by_role("button", name="نبّهني بالأخبار العاجلة").click()

    expect(page.get_by_role("status").filter(has_text="منعتَ")).to_be_visible()
    assert not PushSubscription.objects.exists()


def test_the_service_worker_shows_a_right_to_left_alert(
    push_on, live_server, context, page, url
):
    context.grant_permissions(["notifications"])
    page.goto(url("/notifications/"))
    with context.expect_event("serviceworker") as registered:
        page.evaluate(
            "navigator.serviceWorker.register('/push-sw.js', {scope: '/'})"
            ".then(() => navigator.serviceWorker.ready).then(() => true)"
        )
    worker = registered.value
    assert worker.url.endswith("/push-sw.js")
    alert = {
        "title": "عاجل: زلزال بقوة ست درجات يضرب الساحل",
        "body": "لا أنباء عن إصابات حتى الآن.",
        "url": live_server.url + "/سياسة/12-زلزال/",
        "icon": live_server.url + "/static/img/icon-192.png",
        "image": live_server.url + "/static/img/share-card.png",
        "tag": "alert-12",
        "lang": "ar",
        "dir": "rtl",
    }

    shown = worker.evaluate(PUSH_AND_READ, alert)

    assert shown == [
        {
            "title": alert["title"],
            "body": alert["body"],
            "dir": "rtl",
            "lang": "ar",
            "tag": "alert-12",
            "icon": alert["icon"],
            "image": alert["image"],
            # The worker keeps the address as a URL does: percent-encoded.
            "url": live_server.url + quote("/سياسة/12-زلزال/"),
        }
    ]


def test_the_service_worker_never_opens_another_site(
    push_on, live_server, context, page, url
):
    context.grant_permissions(["notifications"])
    page.goto(url("/notifications/"))
    with context.expect_event("serviceworker") as registered:
        page.evaluate(
            "navigator.serviceWorker.register('/push-sw.js', {scope: '/'})"
            ".then(() => navigator.serviceWorker.ready).then(() => true)"
        )

    shown = registered.value.evaluate(
        PUSH_AND_READ, {"title": "x", "url": "https://evil.example/phish"}
    )

    assert shown[0]["url"] == live_server.url + "/"
