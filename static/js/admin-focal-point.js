// Article admin: click the lead image to set its focal point (the crops for
// 16:9, 4:3 and 1:1 are cut around it). Without JavaScript the two number
// fields still work.
(function () {
  "use strict";

  function init() {
    var frame = document.querySelector("[data-focal-point]");
    // The article form (id_image_focal_*) or the media library's (id_focal_*).
    var inputX =
      document.getElementById("id_image_focal_x") ||
      document.getElementById("id_focal_x");
    var inputY =
      document.getElementById("id_image_focal_y") ||
      document.getElementById("id_focal_y");
    if (!frame || !inputX || !inputY) {
      return;
    }
    var image = frame.querySelector("img");
    var marker = document.createElement("span");
    marker.className = "nr-focal-marker";
    marker.setAttribute("aria-hidden", "true");
    frame.appendChild(marker);

    function place() {
      var x = parseFloat(inputX.value);
      var y = parseFloat(inputY.value);
      marker.style.insetInlineStart = "auto";
      marker.style.left = (isNaN(x) ? 50 : x * 100) + "%";
      marker.style.top = (isNaN(y) ? 50 : y * 100) + "%";
    }

    image.addEventListener("click", function (event) {
      var box = image.getBoundingClientRect();
      var x = (event.clientX - box.left) / box.width;
      var y = (event.clientY - box.top) / box.height;
      inputX.value = Math.min(1, Math.max(0, x)).toFixed(3);
      inputY.value = Math.min(1, Math.max(0, y)).toFixed(3);
      place();
    });
    inputX.addEventListener("input", place);
    inputY.addEventListener("input", place);
    place();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
