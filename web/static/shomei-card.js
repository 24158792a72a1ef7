/* shomei: card payment in the storefront, with Stripe.js (loaded from Stripe by the page).
 * - #card-form: mounts Stripe's card element (into #card, when the page has one: a saved card
 *   needs none); on submit asks Stripe.js for a PaymentMethod (the card number goes to Stripe
 *   only) and posts its pm_… id to shomei. A form offering other methods too (the wallet's
 *   top-up) is sent as it is when its checked "method" is not "card".
 * - #card-authenticate: 3-D Secure inside the page (stripe.confirmCardPayment), then back to
 *   shomei's signed return address with the PaymentIntent id, as Stripe's redirect would. */
(function () {
  "use strict";
  var form = document.getElementById("card-form");
  if (form && window.Stripe) {
    var stripe = window.Stripe(form.dataset.publishableKey);
    var card = stripe.elements().create("card");
    if (document.getElementById("card")) { card.mount("#card"); }
    var errorBox = document.getElementById("card-error");
    var button = form.querySelector("button[type=submit]");
    form.addEventListener("submit", function (event) {
      if (form.elements.payment_method.value) { return; }
      var chosen = form.querySelector('input[name="method"]:checked');
      if (chosen && chosen.value !== "card") { return; }
      event.preventDefault();
      button.disabled = true;
      errorBox.textContent = "";
      stripe.createPaymentMethod({ type: "card", card: card }).then(function (result) {
        if (!result || result.error || !result.paymentMethod) {
          errorBox.textContent = (result && result.error && result.error.message) ||
            form.dataset.errorMissing;
          button.disabled = false;
          return;
        }
        form.elements.payment_method.value = result.paymentMethod.id;
        form.submit();
      });
    });
  }
  var auth = document.getElementById("card-authenticate");
  if (auth && window.Stripe) {
    var payer = window.Stripe(auth.dataset.publishableKey);
    var back = function () {
      var url = auth.dataset.returnUrl;
      url += (url.indexOf("?") < 0 ? "?" : "&") + "payment_intent=" +
        encodeURIComponent(auth.dataset.paymentIntent);
      window.location.assign(url);
    };
    payer.confirmCardPayment(auth.dataset.clientSecret).then(back, back);
  }
})();
