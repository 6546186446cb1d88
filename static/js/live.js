// A live page brings in new updates without a reload (articles/live.py):
// it polls the shared document of the newest updates, which the edge serves
// to every open page and publishing purges. Without it, a reload shows all.
(function () {
  "use strict";

  var live = document.querySelector("[data-live-url]");
  if (!live || !window.fetch || !window.Promise) {
    return;
  }
  var list = live.querySelector("[data-live-updates]");
  var summary = document.querySelector("[data-live-summary]");
  var url = live.getAttribute("data-live-url");
  var EVERY = 8000; // an update shows within ~10 s on a visible page
  var HIDDEN_EVERY = 60000; // a background tab asks rarely
  var timer = null;
  var unseen = 0;
  var button = null;

  function updates() {
    return Array.prototype.slice.call(list.querySelectorAll("[data-update]"));
  }

  function element(html) {
    var template = document.createElement("template");
    template.innerHTML = html.trim();
    return template.content.firstElementChild;
  }

  // Nothing the reader is looking at moves: whatever is inserted, replaced
  // or removed, the first element in view stays where it was.
  function keepStill(change) {
    var candidates = Array.prototype.slice
      .call(list.children)
      .concat(Array.prototype.slice.call(document.querySelectorAll(".story > *")));
    var anchor = null;
    for (var i = 0; i < candidates.length; i++) {
      // The smallest piece in view: not the section the change happens in.
      if (!candidates[i].contains(list) && candidates[i].getBoundingClientRect().bottom > 0) {
        anchor = candidates[i];
        break;
      }
    }
    var before = anchor && anchor.getBoundingClientRect().top;
    change();
    if (anchor && anchor.isConnected) {
      var moved = anchor.getBoundingClientRect().top - before;
      if (moved) {
        window.scrollBy(0, moved);
      }
    }
  }

  // "N new updates", for a reader who has scrolled past where they went in.
  function announce(count, reload) {
    unseen += count;
    if (!button) {
      button = document.createElement("button");
      button.type = "button";
      button.className = "live__new";
      button.addEventListener("click", function () {
        if (button.reload) {
          window.location.reload();
          return;
        }
        list.scrollIntoView({ block: "start" });
        clearButton();
      });
      live.insertBefore(button, list);
    }
    button.reload = button.reload || reload;
    button.textContent =
      unseen === 1
        ? live.getAttribute("data-new-one")
        : live.getAttribute("data-new-many") + " " + unseen;
  }

  function clearButton() {
    if (button) {
      button.remove();
      button = null;
    }
    unseen = 0;
  }

  function copyButtons(root) {
    if (!navigator.clipboard) {
      return;
    }
    Array.prototype.forEach.call(root.querySelectorAll("[data-copy-url]"), function (b) {
      b.hidden = false;
      b.addEventListener("click", function () {
        navigator.clipboard.writeText(b.getAttribute("data-copy-url"));
        b.textContent = b.getAttribute("data-copied-text");
      });
    });
  }

  function apply(data) {
    var shown = {};
    updates().forEach(function (node) {
      shown[node.getAttribute("data-update")] = node;
    });
    var fresh = [];
    var incoming = {};
    data.updates.forEach(function (update) {
      incoming[update.id] = true;
      var node = shown[update.id];
      if (!node) {
        fresh.push(update);
      } else if (node.getAttribute("data-stamp") !== update.stamp) {
        keepStill(function () {
          var edited = element(update.html);
          node.replaceWith(edited);
          copyButtons(edited);
        });
      }
    });
    // Gone from the newest ones: deleted or taken back by an editor. The
    // answer holds every update newer than its oldest (all, if not full).
    var oldest = data.updates[data.updates.length - 1];
    var oldestNode = oldest ? shown[oldest.id] : null;
    var complete = data.updates.length < data.limit;
    updates().forEach(function (node) {
      var newer =
        oldestNode && node.compareDocumentPosition(oldestNode) & Node.DOCUMENT_POSITION_FOLLOWING;
      if (!incoming[node.getAttribute("data-update")] && (complete || newer)) {
        keepStill(function () {
          node.remove();
        });
      }
    });
    if (fresh.length && !complete && !oldestNode && updates().length) {
      // More came than one answer holds: only a reload shows them all.
      announce(fresh.length, true);
    } else if (fresh.length) {
      var empty = list.querySelector(".live__empty");
      keepStill(function () {
        if (empty) {
          empty.remove();
        }
        for (var i = fresh.length - 1; i >= 0; i--) {
          var node = element(fresh[i].html);
          node.classList.add("live-update--new");
          list.insertBefore(node, list.firstElementChild);
          copyButtons(node);
        }
      });
      if (list.getBoundingClientRect().top < 0) {
        announce(fresh.length, false);
      }
    }
    if (summary && summary.innerHTML.trim() !== data.key_points.trim()) {
      keepStill(function () {
        summary.innerHTML = data.key_points;
      });
    }
    if (data.ended) {
      var notice = document.createElement("p");
      notice.className = "live__ended";
      notice.textContent = live.getAttribute("data-ended-text");
      live.insertBefore(notice, list);
    }
    return !data.ended;
  }

  function poll() {
    timer = null;
    // Revalidated every time: the edge answers 304 until an update comes.
    fetch(url, { cache: "no-cache", headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (data) {
        if (!data || apply(data)) {
          schedule();
        }
      })
      .catch(schedule);
  }

  function schedule() {
    window.clearTimeout(timer);
    timer = window.setTimeout(poll, document.hidden ? HIDDEN_EVERY : EVERY);
  }

  document.addEventListener("visibilitychange", function () {
    if (timer !== null) {
      // Back in view: ask now, then at the visible pace.
      window.clearTimeout(timer);
      timer = window.setTimeout(poll, document.hidden ? HIDDEN_EVERY : 0);
    }
  });
  window.addEventListener(
    "scroll",
    function () {
      if (button && !button.reload && list.getBoundingClientRect().top >= 0) {
        clearButton();
      }
    },
    { passive: true }
  );
  schedule();
})();
