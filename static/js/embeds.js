// Posts from other sites load only when the reader asks (articles/blocks.py).
(function () {
  "use strict";
  var embeds = document.querySelectorAll("[data-embed-frame]");
  Array.prototype.forEach.call(embeds, function (embed) {
    var consent = embed.querySelector(".embed__consent");
    consent.hidden = false;
    consent.querySelector("button").addEventListener("click", function () {
      var frame = document.createElement("iframe");
      frame.className = "embed__frame";
      frame.title = embed.getAttribute("data-embed-title");
      frame.allow = "encrypted-media; picture-in-picture; fullscreen";
      frame.referrerPolicy = "strict-origin-when-cross-origin";
      frame.src = embed.getAttribute("data-embed-frame");
      embed.querySelector(".embed__placeholder").replaceWith(frame);
      frame.focus();
    });
  });
})();
