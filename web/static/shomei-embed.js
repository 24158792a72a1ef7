/* shomei-embed.js: open a shomei hosted checkout from a hosting panel and hear when it is done.
 *
 *   <script src="https://<tenant host>/static/shomei-embed.js"></script>
 *   ShomeiCheckout.open(session.url, {
 *     onComplete: function (result) {  // {session, order_id, payment}
 *       location.href = "/ssl/orders?order=" + result.order_id;
 *     },
 *     onClose: function () {},         // the customer closed the window without finishing
 *     keepOpen: false                  // true: leave the confirmation page open
 *   });
 *
 * The checkout opens in a popup (a top-level window of the shop's own host: its cookies,
 * 3-D Secure and the browser's address bar stay intact; a payment page never runs in a third
 * party's frame). Call open() from a click handler so the browser allows the popup. Messages
 * are accepted only from the checkout's origin and from the window this script opened; the
 * checkout posts only to the panel's origin (the origin of the session's success_url).
 * Hand-written, no dependencies, no build step. */
(function (global) {
  "use strict";
  function originOf(url) {
    var link = document.createElement("a");
    link.href = url;
    return link.protocol + "//" + link.host;
  }
  function open(url, options) {
    options = options || {};
    var origin = originOf(url);
    var width = options.width || 720, height = options.height || 820;
    var left = Math.max(0, (global.screen.width - width) / 2);
    var top = Math.max(0, (global.screen.height - height) / 2);
    var popup = global.open(url, "shomei-checkout",
      "popup=yes,width=" + width + ",height=" + height + ",left=" + left + ",top=" + top);
    if (!popup) {
      global.location.assign(url); // popups blocked: the same checkout in this window
      return null;
    }
    var finished = false;
    function listen(event) {
      if (event.origin !== origin || event.source !== popup) { return; }
      var data = event.data || {};
      if (data.type !== "shomei:checkout.completed" || finished) { return; }
      finished = true;
      global.removeEventListener("message", listen);
      if (options.onComplete) { options.onComplete(data); }
      if (!options.keepOpen) { popup.close(); }
    }
    global.addEventListener("message", listen);
    var watch = global.setInterval(function () {
      if (!popup.closed) { return; }
      global.clearInterval(watch);
      global.removeEventListener("message", listen);
      if (!finished && options.onClose) { options.onClose(); }
    }, 500);
    return popup;
  }
  global.ShomeiCheckout = { open: open };
})(window);
