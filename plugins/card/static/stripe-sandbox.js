/* shomei: a Stripe.js stand-in for the card sandbox (localstripe), served only while
 * SHOMEI_STRIPE_API_BASE is not Stripe's address (the embedded demo of `shomei up`).
 * It offers what shomei-card.js uses of Stripe.js v3:
 * - Stripe(key).elements().create("card").mount(selector): four plain inputs (number, month,
 *   year, CVC), labelled from the form's data-sandbox-* attributes (translated by the page);
 * - createPaymentMethod({type: "card", card}): posts them to shomei, which makes the pm_… at
 *   the sandbox with the shop's test key (test cards only: this file is never served with
 *   Stripe's own address, where card details go to Stripe alone);
 * - confirmCardPayment(clientSecret): the sandbox's 3-D Secure question, answered by a button.
 * Same-origin requests only, carrying the page's CSRF token. */
(function () {
  "use strict";
  var BASE = "/payments/card/sandbox";
  var FIELDS = ["number", "exp_month", "exp_year", "cvc"];
  var SIZES = { number: 19, exp_month: 2, exp_year: 4, cvc: 4 };

  function csrf() {
    var input = document.querySelector('input[name="csrf_token"]');
    return input ? input.value : "";
  }

  function post(path, body) {
    return fetch(BASE + path, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf() },
      body: JSON.stringify(body),
    }).then(function (answer) {
      return answer.json().catch(function () { return {}; }).then(function (json) {
        return answer.ok ? json : { error: json.error || { message: "" } };
      });
    }, function () { return { error: { message: "" } }; });
  }

  function label(host, field) {
    var form = host.closest("form");
    var key = "sandbox" + field.split("_").map(function (part) {
      return part.charAt(0).toUpperCase() + part.slice(1);
    }).join("");
    return (form && form.dataset[key]) || field;
  }

  function CardElement() { this.inputs = {}; }
  CardElement.prototype.mount = function (selector) {
    var host = typeof selector === "string" ? document.querySelector(selector) : selector;
    var self = this;
    FIELDS.forEach(function (field) {
      var id = "sandbox-card-" + field.replace("_", "-");
      var wrap = document.createElement("div");
      wrap.className = "sandbox-card-field";
      var text = document.createElement("label");
      text.htmlFor = id;
      text.textContent = label(host, field);
      var input = document.createElement("input");
      input.id = id;
      input.name = "sandbox_" + field;
      input.inputMode = "numeric";
      input.autocomplete = "off";
      input.size = SIZES[field];
      input.maxLength = field === "number" ? 23 : SIZES[field];
      wrap.appendChild(text);
      wrap.appendChild(input);
      host.appendChild(wrap);
      self.inputs[field] = input;
    });
  };
  CardElement.prototype.values = function () {
    var values = {};
    var inputs = this.inputs;
    FIELDS.forEach(function (field) { values[field] = inputs[field] ? inputs[field].value : ""; });
    return values;
  };

  function ask(question, yes, no) {
    return new Promise(function (resolve) {
      var box = document.createElement("div");
      box.className = "sandbox-challenge panel";
      box.setAttribute("role", "dialog");
      box.setAttribute("aria-label", question);
      var text = document.createElement("p");
      text.textContent = question;
      box.appendChild(text);
      [[yes, true], [no, false]].forEach(function (choice) {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "button";
        button.textContent = choice[0];
        button.addEventListener("click", function () { box.remove(); resolve(choice[1]); });
        box.appendChild(button);
      });
      document.body.appendChild(box);
    });
  }

  window.Stripe = function () {
    return {
      elements: function () {
        return { create: function () { return new CardElement(); } };
      },
      createPaymentMethod: function (options) {
        return post("/payment-methods", options.card.values()).then(function (json) {
          return json.error ? { error: json.error } : { paymentMethod: { id: json.id } };
        });
      },
      confirmCardPayment: function (clientSecret) {
        var holder = document.getElementById("card-authenticate") || document.body;
        var words = holder.dataset || {};
        return ask(words.sandboxQuestion || "3-D Secure",
          words.sandboxComplete || "Complete authentication",
          words.sandboxFail || "Fail authentication").then(function (success) {
          return post("/authenticate", { client_secret: clientSecret, success: success });
        }).then(function (json) {
          return json.error ? { error: json.error } : { paymentIntent: { id: json.id } };
        });
      },
    };
  };
})();
