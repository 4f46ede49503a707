// Demo storefront ("Luma"): the catalog, the shopper's state (kept in localStorage), the shared page
// chrome (header, mode switch, consent banner, event log) and one function per page that sets the
// storefront contexts and publishes events through window.magentoStorefrontEvents, as a Commerce
// theme would. Loaded in <head> before the collector script; pages start on DOMContentLoaded from
// <body data-page="...">. Every string shown in the page is set with textContent (see `h`).
"use strict";
(function () {
  const CFG = window.SHOP_CONFIG;
  const CURRENCY = "USD";
  const CATALOG = [
    { productId: 1, sku: "MS10", name: "Logan HeatTec Tee", price: 24, special: 19.2, color: "#3b6ea8", category: "Tops" },
    { productId: 2, sku: "WS03", name: "Iris Workout Top", price: 29, special: null, color: "#b8434f", category: "Tops" },
    { productId: 3, sku: "MH07", name: "Hero Hoodie", price: 54, special: 49.99, color: "#6d7278", category: "Tops" },
    { productId: 4, sku: "WJ04", name: "Ingrid Running Jacket", price: 84, special: null, color: "#2f8a6b", category: "Tops" },
    { productId: 5, sku: "MT12", name: "Cassius Sparring Tank", price: 18, special: null, color: "#d18b2c", category: "Tops" },
    { productId: 6, sku: "WS11", name: "Nona Fitness Tank", price: 39, special: 31.2, color: "#7a4fa3", category: "Tops" },
  ];
  const bySku = (sku) => CATALOG.find((p) => p.sku === sku);
  const money = (n) => Math.round(n * 100) / 100;
  const fmt = (n) => "$" + money(n).toFixed(2);
  const priceOf = (p) => p.special ?? p.price;

  // ---- shopper state, shared by all pages of the origin ----
  const store = {
    get(key, fallback) {
      try { const v = localStorage.getItem("shop." + key); return v === null ? fallback : JSON.parse(v); } catch (_) { return fallback; }
    },
    set(key, value) {
      try { if (value === undefined) localStorage.removeItem("shop." + key); else localStorage.setItem("shop." + key, JSON.stringify(value)); } catch (_) { /* private mode */ }
    },
  };
  // ?mode=handoff|direct switches and remembers the delivery mode (the header switch does the same).
  const asked = new URLSearchParams(location.search).get("mode");
  if (asked === "handoff" || asked === "direct") store.set("mode", asked);
  const MODE = store.get("mode", "handoff");
  const cart = () => store.get("cart", { id: "cart-" + Math.random().toString(36).slice(2, 10), items: [] });
  const account = () => store.get("account", null);
  // One requisition list exists from the start, as on a B2B company account.
  const lists = () => store.get("lists", [{ id: 1, name: "Office supplies", description: "Monthly reorder", items: [] }]);

  // ---- hand-off mode: the real @adobe/alloy, configured against the Edge (the emulator) ----
  if (MODE === "handoff") {
    // alloy's base code: a queueing stub named "alloy" until the library has loaded.
    (function (w, names) {
      names.forEach(function (n) {
        if (w[n]) return;
        (w.__alloyNS = w.__alloyNS || []).push(n);
        w[n] = function () { const args = arguments; return new Promise(function (resolve, reject) { w[n].q.push([resolve, reject, args]); }); };
        w[n].q = [];
      });
    })(window, ["alloy"]);
    window.alloy("configure", {
      datastreamId: CFG.datastreamId, orgId: CFG.orgId, edgeDomain: CFG.edgeDomain,
      thirdPartyCookiesEnabled: false, clickCollectionEnabled: false,
    });
    const s = document.createElement("script");
    s.async = true;
    s.src = "/tools/node_modules/@adobe/alloy/dist/alloy.min.js";
    document.head.append(s);
  }

  // ---- contexts ----
  function productContext(p) {
    return {
      productId: p.productId, name: p.name, sku: p.sku, productType: "simple", categories: [p.category],
      pricing: { regularPrice: p.price, specialPrice: p.special ?? undefined, currencyCode: CURRENCY },
      mainImageUrl: `${location.origin}/media/${p.sku.toLowerCase()}.jpg`, canonicalUrl: `${location.origin}/www/product.html?sku=${p.sku}`,
    };
  }
  function cartLine(p, quantity) {
    return {
      id: "line-" + p.sku, quantity, canApplyMsrp: false, formattedPrice: fmt(priceOf(p)),
      prices: { price: { value: priceOf(p), currency: CURRENCY } }, product: productContext(p), configurableOptions: [],
    };
  }
  function cartContext(c) {
    const subtotal = money(c.items.reduce((s, i) => s + priceOf(bySku(i.sku)) * i.quantity, 0));
    return {
      id: c.id, totalQuantity: c.items.reduce((s, i) => s + i.quantity, 0), possibleOnepageCheckout: true,
      items: c.items.map((i) => cartLine(bySku(i.sku), i.quantity)),
      prices: { subtotalExcludingTax: { value: subtotal, currency: CURRENCY }, subtotalIncludingTax: { value: subtotal, currency: CURRENCY } },
    };
  }
  function accountContext(a) {
    return a && { accountId: a.accountId, firstName: a.firstName, lastName: a.lastName, emailAddress: a.email, accountType: "Customer" };
  }
  function listItems(list) {
    return {
      items: list.items.map((i) => {
        const p = bySku(i.sku);
        return { sku: p.sku, name: p.name, quantity: i.quantity, pricing: { regularPrice: p.price, currencyCode: CURRENCY }, selectedOptions: [] };
      }),
    };
  }

  let mse;
  /** The contexts every page sets, then its page view. */
  function setUp(pageType, pageName) {
    mse = window.magentoStorefrontEvents;
    // Nothing leaves until the shopper answers the banner. In hand-off mode the choice is also
    // given to alloy (setConsent), which records it at the Edge. Direct mode keeps it local: with
    // `consent.edge: true` the first set-consent request and the first event currently race without
    // an identity cookie, and the Edge mints two ECIDs for one shopper.
    mse.context.setAEP(MODE === "handoff"
      ? { imsOrgId: CFG.orgId, webSdkName: "alloy", consent: { default: "pending", alloy: true } }
      : { imsOrgId: CFG.orgId, datastreamId: CFG.datastreamId, edgeDomain: CFG.edgeDomain, consent: { default: "pending" } });
    mse.context.setEventForwarding({ aep: true, commerce: false });
    mse.context.setStorefrontInstance({
      environmentId: "luma-demo", environment: "Testing", storeUrl: location.origin, websiteId: 1, websiteCode: "base",
      storeId: 1, storeCode: "main_website_store", storeViewId: 1, storeViewCode: "default", websiteName: "Main Website",
      storeName: "Main Website Store", storeViewName: "Default Store View", baseCurrencyCode: CURRENCY, storeViewCurrencyCode: CURRENCY,
      catalogExtensionVersion: "103.4.0",
    });
    mse.context.setChannel({ _id: "https://ns.adobe.com/xdm/channels/web", _type: "https://ns.adobe.com/xdm/channel-types/web" });
    const a = account();
    mse.context.setShopper({ shopperId: a ? "logged-in" : "guest" });
    mse.context.setAccount(accountContext(a));
    mse.context.setShoppingCart(cartContext(cart()));
    mse.context.setPage({ pageType, pageName });
    const choice = store.get("consent", null);
    if (choice) mse.consent.set(choice);
    mse.publish.pageView();
  }

  // ---- DOM helpers ----
  /** h("a", {href, class}, "text", child…): builds an element; strings become text nodes. */
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
      else if (k === "style") el.style.cssText = v;
      else el.setAttribute(k, v === true ? "" : String(v));
    }
    for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) el.append(c instanceof Node ? c : String(c));
    return el;
  }
  const $ = (sel) => document.querySelector(sel);
  const swatch = (p, big) => h("div", { class: big ? "swatch big" : "swatch", style: `background:${p.color}` }, p.sku);
  const priceTag = (p) => h("p", { class: "price" }, fmt(priceOf(p)), p.special ? h("s", {}, fmt(p.price)) : null);
  function flash(text) {
    const note = $("#flash");
    note.textContent = text;
    note.hidden = false;
    clearTimeout(flash.timer);
    flash.timer = setTimeout(() => { note.hidden = true; }, 2500);
  }

  function header() {
    const a = account();
    const c = cart();
    const count = c.items.reduce((s, i) => s + i.quantity, 0);
    const modeButton = (m, label) => h("button", {
      type: "button", class: m === MODE ? "on" : "", "aria-pressed": String(m === MODE), "data-mode": m,
      onclick: () => { store.set("mode", m); location.reload(); },
    }, label);
    return h("header", {},
      h("div", { class: "bar" },
        h("a", { href: "index.html", class: "logo" }, "LUMA"),
        h("form", { action: "search.html", class: "search", role: "search" },
          h("input", { name: "q", type: "search", placeholder: "Search tees, hoodies…", "aria-label": "Search", value: new URLSearchParams(location.search).get("q") || "" })),
        h("nav", {},
          h("a", { href: "requisition.html" }, "Requisition lists"),
          h("a", { href: "account.html", id: "account-link" }, a ? `Hi, ${a.firstName}` : "Sign in"),
          h("a", { href: "cart.html", id: "cart-link" }, "Cart (", h("span", { id: "cart-count" }, count), ")"))),
      h("div", { class: "modes" },
        h("span", { class: "muted" }, "Delivery:"),
        h("div", { class: "switch", role: "group", "aria-label": "Delivery mode" },
          modeButton("handoff", "Hand-off to @adobe/alloy"), modeButton("direct", "Direct to the Edge")),
        h("span", { class: "muted" }, `${CFG.edgeDomain} · datastream ${CFG.datastreamId}`),
        CFG.viewerUrl ? h("a", { href: CFG.viewerUrl, target: "_blank", rel: "noopener", class: "viewer" }, "Event viewer ↗") : null));
  }

  /** The cookie banner: the shopper's choice goes to the collector (and is remembered by the shop). */
  function consentBanner(force) {
    $("#consent")?.remove();
    if (!force && store.get("consent", null)) return;
    const choose = (c) => () => { store.set("consent", c); mse.consent.set(c); banner.remove(); renderConsentState(); };
    const banner = h("div", { id: "consent", class: "consent", role: "dialog", "aria-label": "Cookie consent" },
      h("p", {}, "We use cookies and send storefront events to Adobe Experience Platform to improve your experience. ",
        h("span", { class: "muted" }, "(In this demo they go to the local edge-emulator.)")),
      h("button", { type: "button", id: "consent-accept", onclick: choose("in") }, "Accept"),
      h("button", { type: "button", id: "consent-decline", class: "secondary", onclick: choose("out") }, "Decline"));
    document.body.append(banner);
  }
  function renderConsentState() {
    const c = store.get("consent", null);
    $("#consent-state").textContent = c === "in" ? "Tracking allowed" : c === "out" ? "Tracking declined" : "No choice yet";
  }

  /** The side panel: what this page published and what became of each event (from diagnostics). */
  function eventLog() {
    const list = h("ol", { id: "event-log" });
    const panel = h("aside", { class: "log" },
      h("h2", {}, "Events from this page"),
      h("p", { class: "muted" }, MODE === "handoff" ? "Handed to window.alloy, which posts them to the Edge." : "Posted by the collector to the Edge."),
      list);
    const seen = new Map();
    const row = (id, name) => {
      let li = seen.get(id);
      if (!li) {
        li = h("li", {}, h("code", {}, name), " ", h("span", { class: "status" }, "published"));
        seen.set(id, li);
        list.prepend(li);
      }
      return li;
    };
    // A subscriber per publish method would be long; diagnostics name the event and its fate.
    mse.subscribe.diagnostic((d) => {
      if (!d.eventId || !d.event) return;
      const li = row(d.eventId, d.event);
      const status = li.querySelector(".status");
      status.textContent = d.code;
      status.className = "status " + d.level;
    });
    return panel;
  }

  function layout(title, ...content) {
    const main = $("main");
    main.replaceChildren(h("section", { class: "content" }, title ? h("h1", {}, title) : null, ...content), eventLog());
  }

  // ---- the pages ----
  const pages = {
    home() {
      setUp("Category", "Tops");
      layout("Tops", h("div", { class: "grid" }, CATALOG.map((p) =>
        h("article", { class: "card" },
          h("a", { href: `product.html?sku=${encodeURIComponent(p.sku)}` }, swatch(p), h("h3", {}, p.name)), priceTag(p)))));
    },

    product() {
      const p = bySku(new URLSearchParams(location.search).get("sku")) || CATALOG[0];
      document.title = `${p.name} — Luma`;
      mse = window.magentoStorefrontEvents;
      mse.context.setProduct(productContext(p));
      setUp("PDP", p.name);
      mse.publish.productPageView();
      const qty = h("input", { id: "qty", type: "number", min: 1, max: 99, value: 1, "aria-label": "Quantity" });
      const listSelect = h("select", { id: "list", "aria-label": "Requisition list" }, lists().map((l) => h("option", { value: l.id }, l.name)));
      const quantity = () => Math.max(1, Math.min(99, parseInt(qty.value, 10) || 1));
      layout(null, h("div", { class: "pdp" }, swatch(p, true), h("div", {},
        h("h1", {}, p.name), h("p", { class: "muted" }, `SKU ${p.sku}`), priceTag(p),
        h("p", {}, "A soft, moisture-wicking layer for the gym and the trail."),
        h("p", {}, qty, " ", h("button", { type: "button", id: "add-to-cart", onclick: () => {
          const c = cart();
          const n = quantity();
          const line = c.items.find((i) => i.sku === p.sku);
          if (line) line.quantity += n; else c.items.push({ sku: p.sku, quantity: n });
          store.set("cart", c);
          mse.context.setChangedProducts({ items: [cartLine(p, n)] });
          mse.context.setShoppingCart(cartContext(c));
          mse.publish.addToCart();
          $("#cart-count").textContent = String(c.items.reduce((s, i) => s + i.quantity, 0));
          flash(`Added ${n} × ${p.name} to your cart.`);
        } }, "Add to cart")),
        h("p", { class: "b2b" }, listSelect, " ", h("button", { type: "button", id: "add-to-requisition-list", class: "secondary", onclick: () => {
          const all = lists();
          const list = all.find((l) => String(l.id) === listSelect.value);
          if (!list) return;
          const n = quantity();
          const item = list.items.find((i) => i.sku === p.sku);
          if (item) item.quantity += n; else list.items.push({ sku: p.sku, quantity: n });
          store.set("lists", all);
          mse.context.setRequisitionList({ id: list.id, name: list.name, description: list.description });
          mse.context.setRequisitionListItems(listItems({ items: [{ sku: p.sku, quantity: n }] }));
          mse.publish.addToRequisitionList();
          flash(`Added ${n} × ${p.name} to “${list.name}”.`);
        } }, "Add to requisition list")))));
    },

    cart() {
      setUp("Cart", "Shopping cart");
      mse.publish.shoppingCartView();
      const render = () => {
        const c = cart();
        const ctx = cartContext(c);
        if (!c.items.length) return layout("Your cart", h("p", {}, "Your cart is empty. ", h("a", { href: "index.html" }, "Continue shopping")));
        layout("Your cart",
          h("table", { class: "lines" }, h("tbody", {}, c.items.map((i) => {
            const p = bySku(i.sku);
            return h("tr", {}, h("td", {}, p.name), h("td", {}, `${i.quantity} × ${fmt(priceOf(p))}`), h("td", {},
              h("button", { type: "button", class: "link", "data-remove": p.sku, onclick: () => {
                c.items = c.items.filter((x) => x.sku !== p.sku);
                store.set("cart", c);
                mse.context.setChangedProducts({ items: [cartLine(p, i.quantity)] });
                mse.context.setShoppingCart(cartContext(c));
                mse.publish.removeFromCart();
                render();
              } }, "Remove")));
          }))),
          h("p", { class: "total" }, "Subtotal ", fmt(ctx.prices.subtotalExcludingTax.value)),
          h("a", { href: "checkout.html", class: "button", id: "checkout" }, "Proceed to checkout"));
        $("#cart-count").textContent = String(ctx.totalQuantity);
      };
      render();
    },

    checkout() {
      setUp("Checkout", "Checkout");
      const c = cart();
      if (!c.items.length) return layout("Checkout", h("p", {}, "Your cart is empty."));
      mse.publish.initiateCheckout();
      const a = account();
      const subtotal = cartContext(c).prices.subtotalExcludingTax.value;
      const shipping = 5;
      const field = (label, attrs) => h("label", {}, label, h("input", { required: true, ...attrs }));
      layout("Checkout", h("form", { id: "checkout-form", class: "form", onsubmit: (e) => {
        e.preventDefault();
        const f = new FormData(e.target);
        const orderId = 100000000 + Math.floor(Math.random() * 900000);
        // The order is confirmed on the next page, which publishes placeOrder (as Commerce does on
        // checkout/onepage/success).
        store.set("order", {
          orderId, email: String(f.get("email")), cartId: c.id, items: c.items, subtotal, shipping,
          grandTotal: money(subtotal + shipping), published: false,
        });
        store.set("cart", undefined);
        location.href = "confirmation.html";
      } },
      field("Email", { name: "email", type: "email", id: "email", value: a ? a.email : "" }),
      field("Name", { name: "name", value: a ? `${a.firstName} ${a.lastName}` : "" }),
      field("Street", { name: "street", value: "6146 Honey Bluff Parkway" }),
      field("City", { name: "city", value: "Calder" }),
      h("p", {}, `Subtotal ${fmt(subtotal)} · Flat rate shipping ${fmt(shipping)} · `, h("strong", {}, `Total ${fmt(subtotal + shipping)}`)),
      h("p", { class: "muted" }, "Payment: Check / Money order"),
      h("button", { type: "submit", id: "place-order" }, "Place order")));
    },

    confirmation() {
      const o = store.get("order", null);
      mse = window.magentoStorefrontEvents;
      if (o) {
        mse.context.setOrder({
          orderId: o.orderId, email: o.email, grandTotal: o.grandTotal, subtotalExcludingTax: o.subtotal, subtotalIncludingTax: o.subtotal,
          taxAmount: 0, salesTax: 0, otherTax: 0, orderType: "checkout",
          payments: [{ paymentMethodCode: "checkmo", paymentMethodName: "Check / Money order", total: o.grandTotal }],
          shipping: { shippingMethod: "flatrate", shippingAmount: o.shipping },
        });
      }
      setUp("Checkout", "Order confirmation");
      // The ordered cart, for the purchase's product list (the live cart is empty by now).
      if (o) mse.context.setShoppingCart(cartContext({ id: o.cartId, items: o.items }));
      if (o && !o.published) {
        mse.publish.placeOrder();
        store.set("order", { ...o, published: true }); // a reload must not order twice
      }
      if (!o) return layout("Order confirmation", h("p", {}, "No recent order."));
      layout("Thank you for your purchase!",
        h("p", {}, "Your order number is ", h("strong", { id: "order-id" }, o.orderId), "."),
        h("p", {}, `A confirmation was sent to ${o.email}. Total ${fmt(o.grandTotal)}.`),
        h("a", { href: "index.html", class: "button" }, "Continue shopping"));
    },

    account() {
      setUp("Account", "My account");
      const signIn = (e) => {
        e.preventDefault();
        const f = new FormData(e.target);
        const email = String(f.get("email")).trim().toLowerCase();
        const known = store.get("customers", {})[email];
        const who = known || { accountId: String(1000 + Math.floor(Math.random() * 9000)), firstName: email.split("@")[0], lastName: "", email };
        store.set("account", who);
        mse.context.setAccount(accountContext(who));
        mse.context.setShopper({ shopperId: "logged-in" });
        mse.publish.signIn();
        render();
      };
      const create = (e) => {
        e.preventDefault();
        const f = new FormData(e.target);
        const who = {
          accountId: String(1000 + Math.floor(Math.random() * 9000)), firstName: String(f.get("firstName")),
          lastName: String(f.get("lastName")), email: String(f.get("email")).trim().toLowerCase(),
        };
        store.set("customers", { ...store.get("customers", {}), [who.email]: who });
        store.set("account", who);
        mse.context.setAccount(accountContext(who));
        mse.context.setShopper({ shopperId: "logged-in" });
        mse.publish.createAccount();
        render();
      };
      const input = (label, attrs) => h("label", {}, label, h("input", { required: true, ...attrs }));
      const render = () => {
        const me = account();
        $("#account-link").textContent = me ? `Hi, ${me.firstName}` : "Sign in";
        if (!me) {
          return layout("Customer login", h("div", { class: "two" },
            h("form", { id: "sign-in-form", class: "form", onsubmit: signIn }, h("h2", {}, "Registered customers"),
              input("Email", { name: "email", type: "email", id: "sign-in-email", value: "roni_cost@example.com" }),
              input("Password", { name: "password", type: "password", value: "demo-password" }),
              h("button", { type: "submit", id: "sign-in" }, "Sign in")),
            h("form", { id: "create-account-form", class: "form", onsubmit: create }, h("h2", {}, "New customers"),
              input("First name", { name: "firstName", value: "Veronica" }), input("Last name", { name: "lastName", value: "Costello" }),
              input("Email", { name: "email", type: "email", value: "veronica@example.com" }),
              input("Password", { name: "password", type: "password", value: "demo-password" }),
              h("button", { type: "submit", id: "create-account" }, "Create an account"))));
        }
        layout("My account",
          h("form", { id: "edit-account-form", class: "form", onsubmit: (e) => {
            e.preventDefault();
            const f = new FormData(e.target);
            const who = { ...account(), firstName: String(f.get("firstName")), lastName: String(f.get("lastName")) };
            store.set("account", who);
            store.set("customers", { ...store.get("customers", {}), [who.email]: who });
            mse.context.setAccount(accountContext(who));
            mse.publish.editAccount();
            render();
            flash("Account saved.");
          } },
          h("p", {}, `Signed in as ${me.email} (customer ${me.accountId})`),
          input("First name", { name: "firstName", value: me.firstName }), input("Last name", { name: "lastName", value: me.lastName }),
          h("button", { type: "submit", id: "save-account" }, "Save"), " ",
          h("button", { type: "button", id: "sign-out", class: "secondary", onclick: () => {
            mse.publish.signOut();
            store.set("account", undefined);
            mse.context.setAccount(null);
            mse.context.setShopper({ shopperId: "guest" });
            render();
          } }, "Sign out")));
      };
      render();
    },

    search() {
      const phrase = (new URLSearchParams(location.search).get("q") || "").trim();
      setUp("Search", "Search results");
      const color = h("select", { id: "filter", "aria-label": "Filter" },
        h("option", { value: "" }, "All products"), h("option", { value: "sale" }, "On sale"));
      const results = h("div", { class: "grid", id: "results" });
      const run = () => {
        // One search round trip: the request event, the (simulated) service, the response event.
        const requestId = "req-" + Math.random().toString(36).slice(2, 10);
        const filter = color.value === "sale" ? [{ attribute: "special_price", range: { from: 0.01, to: 10000 } }] : [];
        mse.context.setSearchInput({ units: [{
          searchUnitId: "search-bar", searchRequestId: requestId, queryTypes: ["products", "suggestions"], phrase,
          pageSize: 12, currentPage: 1, filter, sort: [{ attribute: "relevance", direction: "DESC" }],
        }] });
        mse.publish.searchRequestSent("search-bar");
        const words = phrase.toLowerCase().split(/\s+/).filter(Boolean);
        const found = CATALOG.filter((p) => words.every((w) => p.name.toLowerCase().includes(w) || p.sku.toLowerCase() === w))
          .filter((p) => !filter.length || p.special);
        setTimeout(() => {
          mse.context.setSearchResults({ units: [{
            searchUnitId: "search-bar", searchRequestId: requestId, page: 1, perPage: 12, facets: [], categories: [],
            products: found.map((p, i) => ({ name: p.name, sku: p.sku, url: `${location.origin}/www/product.html?sku=${p.sku}`,
              imageUrl: `${location.origin}/media/${p.sku.toLowerCase()}.jpg`, price: priceOf(p), rank: i + 1 })),
            suggestions: found.slice(0, 3).map((p, i) => ({ suggestion: p.name.toLowerCase(), rank: i + 1 })),
          }] });
          mse.publish.searchResponseReceived("search-bar");
          results.replaceChildren(...(found.length ? found.map((p) => h("article", { class: "card" },
            h("a", { href: `product.html?sku=${encodeURIComponent(p.sku)}` }, swatch(p), h("h3", {}, p.name)), priceTag(p)))
            : [h("p", {}, "No products match.")]));
        }, 150);
      };
      color.addEventListener("change", run);
      layout(`Search results for “${phrase}”`, h("p", {}, color), results);
      run();
    },

    requisition() {
      setUp("Requisition List", "My requisition lists");
      const setList = (l) => {
        mse.context.setRequisitionList({ id: l.id, name: l.name, description: l.description });
        mse.context.setRequisitionListItems(listItems(l));
      };
      const render = () => {
        const all = lists();
        layout("Requisition lists",
          h("form", { id: "new-list-form", class: "inline", onsubmit: (e) => {
            e.preventDefault();
            const f = new FormData(e.target);
            const l = { id: Math.max(0, ...all.map((x) => x.id)) + 1, name: String(f.get("name")), description: String(f.get("description")), items: [] };
            store.set("lists", [...all, l]);
            setList(l);
            mse.publish.createRequisitionList();
            render();
          } },
          h("input", { name: "name", required: true, placeholder: "List name", "aria-label": "List name" }),
          h("input", { name: "description", placeholder: "Description", "aria-label": "Description" }),
          h("button", { type: "submit", id: "create-list" }, "Create list")),
          all.map((l) => h("div", { class: "list", "data-list": l.id },
            h("h2", {}, l.name, " ", h("span", { class: "muted" }, l.description)),
            l.items.length ? h("ul", {}, l.items.map((i) => h("li", {}, `${i.quantity} × ${bySku(i.sku).name} (${i.sku}) `,
              h("button", { type: "button", class: "link", "data-remove": i.sku, onclick: () => {
                setList({ ...l, items: [i] }); // the items context names what was removed
                l.items = l.items.filter((x) => x.sku !== i.sku);
                store.set("lists", all);
                mse.publish.removeFromRequisitionList();
                render();
              } }, "Remove")))) : h("p", { class: "muted" }, "No items yet: add some from a product page."),
            h("button", { type: "button", class: "secondary", "data-delete": l.id, onclick: () => {
              setList(l);
              store.set("lists", all.filter((x) => x.id !== l.id));
              mse.publish.deleteRequisitionList();
              render();
            } }, "Delete list"))));
      };
      render();
    },
  };

  document.addEventListener("DOMContentLoaded", () => {
    const page = document.body.dataset.page;
    if (!window.magentoStorefrontEvents) {
      document.body.prepend(h("p", { class: "flash" }, "The collector (/pkg/storefront-events.js) did not load: run scripts/build.sh."));
      return;
    }
    document.body.prepend(header());
    document.body.append(
      h("div", { id: "flash", class: "flash", role: "status", hidden: true }),
      h("footer", {}, "Luma demo storefront for storefront-collector · ",
        h("span", { id: "consent-state" }), " · ",
        h("button", { type: "button", class: "link", id: "privacy", onclick: () => consentBanner(true) }, "Privacy settings")));
    (pages[page] || pages.home)();
    consentBanner(false);
    renderConsentState();
  });
})();
