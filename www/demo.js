// Demo storefront behaviour: renders a few products and publishes storefront events on clicks.
const products = [
  { productId: 1, sku: "MS10", name: "Logan HeatTec Tee", price: 24, special: 19.2, image: "tee-blue" },
  { productId: 2, sku: "WS03", name: "Iris Workout Top", price: 29, special: null, image: "top-red" },
  { productId: 3, sku: "MH07", name: "Hero Hoodie", price: 54, special: 49.99, image: "hoodie-grey" },
];
const cart = { id: "cart-" + Math.random().toString(36).slice(2, 8), items: [] };

function productContext(p) {
  return {
    productId: p.productId, name: p.name, sku: p.sku, productType: "simple",
    pricing: { regularPrice: p.price, specialPrice: p.special, currencyCode: "USD" },
    mainImageUrl: `${location.origin}/media/${p.image}.jpg`, canonicalUrl: `${location.origin}/${p.sku}.html`,
  };
}
function cartItem(p, quantity) {
  return { id: p.sku + "-line", quantity, canApplyMsrp: false, formattedPrice: "$" + (p.special ?? p.price),
    prices: { price: { value: p.special ?? p.price, currency: "USD" } }, product: productContext(p) };
}
function shoppingCartContext() {
  const total = cart.items.reduce((s, i) => s + i.prices.price.value * i.quantity, 0);
  return { id: cart.id, items: cart.items, totalQuantity: cart.items.reduce((s, i) => s + i.quantity, 0),
    prices: { subtotalExcludingTax: { value: total, currency: "USD" } } };
}

const grid = document.getElementById("products");
for (const p of products) {
  const card = document.createElement("article");
  card.innerHTML = `<div class="img ${p.image}"></div><h3></h3><p class="price"></p>
    <button data-act="view">View</button> <button data-act="add">Add to cart</button>`;
  card.querySelector("h3").textContent = p.name;
  const money = (n) => "$" + n.toFixed(2);
  card.querySelector(".price").textContent = p.special ? `${money(p.special)} (was ${money(p.price)})` : money(p.price);
  card.querySelector('[data-act="view"]').onclick = () => {
    mse.context.setProduct(productContext(p));
    mse.publish.productPageView();
  };
  card.querySelector('[data-act="add"]').onclick = () => {
    const existing = cart.items.find((i) => i.product.sku === p.sku);
    if (existing) existing.quantity += 1; else cart.items.push(cartItem(p, 1));
    mse.context.setChangedProducts({ items: [cartItem(p, 1)] });
    mse.context.setShoppingCart(shoppingCartContext());
    mse.publish.addToCart();
    renderCart();
  };
  grid.append(card);
}

function renderCart() {
  document.getElementById("cart-count").textContent = String(cart.items.reduce((s, i) => s + i.quantity, 0));
  const list = document.getElementById("cart-lines");
  list.replaceChildren(...cart.items.map((i) => {
    const li = document.createElement("li");
    li.textContent = `${i.quantity} × ${i.product.name}`;
    return li;
  }));
}

document.getElementById("cart").onclick = () => {
  document.getElementById("checkout").hidden = false;
  mse.context.setShoppingCart(shoppingCartContext());
  mse.publish.shoppingCartView();
};
document.getElementById("initiate-checkout").onclick = () => mse.publish.initiateCheckout();
document.getElementById("place-order").onclick = () => {
  const total = cart.items.reduce((s, i) => s + i.prices.price.value * i.quantity, 0);
  mse.context.setOrder({ orderId: 1000 + Math.floor(Math.random() * 9000), grandTotal: total, appliedCouponCode: "",
    otherTax: 0, salesTax: 0, subtotalExcludingTax: total, subtotalIncludingTax: total,
    payments: [{ paymentMethodCode: "checkmo", paymentMethodName: "Check / Money order", total }] });
  mse.publish.placeOrder();
};
document.getElementById("sign-in").onclick = () => {
  mse.context.setShopper({ shopperId: "logged-in" });
  mse.context.setAccount({ firstName: "Roni", lastName: "Costello", emailAddress: "roni_cost@example.com", accountId: "42" });
  mse.publish.signIn();
};

// The event log: every sendEvent the collector made, newest first.
const events = document.getElementById("events");
function showSent(options) {
  const li = document.createElement("li");
  const xdm = options.xdm || {};
  const title = document.createElement("button");
  title.className = "event";
  title.textContent = `${xdm.eventType || "(no eventType)"} · ${xdm.timestamp || ""}`;
  const pre = document.createElement("pre");
  pre.hidden = true;
  pre.textContent = JSON.stringify(xdm, null, 2);
  title.onclick = () => { pre.hidden = !pre.hidden; };
  li.append(title, pre);
  events.prepend(li);
  document.getElementById("sent-count").textContent = String(events.children.length);
}
window.alloy.sent.forEach(showSent);
window.addEventListener("demo:sent", (e) => showSent(e.detail));

const diagnostics = document.getElementById("diagnostics");
mse.subscribe.diagnostic((d) => {
  if (d.code === "handed-off") return;
  const li = document.createElement("li");
  li.className = d.level;
  li.textContent = `${d.level} ${d.code} ${d.event} ${d.path}: ${d.message}`;
  diagnostics.prepend(li);
});
