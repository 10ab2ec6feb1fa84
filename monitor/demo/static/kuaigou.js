/* KuaiGou demo shop: renders search, category, item and shop pages from the JSON API.
   Plain DOM code; data goes in through textContent and setAttribute only. */
(function () {
  "use strict";
  var app = document.getElementById("app");
  if (!app) { return; }
  // A changed layout (data-layout="v2") renames the classes a site profile selects.
  var v2 = app.getAttribute("data-layout") === "v2";
  // Result cards keep their classes, so a crawl still finds the item pages.
  var C = v2 ? {card: "item-card", link: "item-link", title: "item-name", price: "cost", attrs: "props",
                sellerName: "merchant-name"}
             : {card: "item-card", link: "item-link", title: "title", price: "price", attrs: "attrs",
                sellerName: "seller-name"};

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }
  function link(cls, href, text) {
    var a = el("a", cls, text);
    a.setAttribute("href", href);
    return a;
  }
  function done() { app.setAttribute("data-loaded", "1"); }
  function fail(target, message) {
    target.appendChild(el("p", "error", message));
    app.setAttribute("data-error", "1");
    done();
  }
  function getJSON(url, ok, target) {
    fetch(url, {headers: {"Accept": "application/json"}}).then(function (resp) {
      if (!resp.ok) { fail(target, resp.status === 404 ? "商品不存在或已下架" : "加载失败"); return null; }
      return resp.json();
    }).then(function (data) { if (data) { ok(data); done(); } })
      .catch(function () { fail(target, "加载失败"); });
  }
  function card(item) {
    var div = el("div", C.card);
    div.setAttribute("data-id", item.id);
    var img = el("img");
    img.setAttribute("src", item.image); img.setAttribute("width", "48"); img.setAttribute("height", "48");
    img.setAttribute("alt", "");
    div.appendChild(img);
    div.appendChild(link(C.link, item.url, item.title));
    div.appendChild(el("span", "price", item.price_text));
    div.appendChild(el("span", "shop", item.seller_name));
    return div;
  }
  function renderList(target, data) {
    target.appendChild(el("p", "total", "共 " + data.total + " 件商品"));
    var list = el("div", "list");
    data.items.forEach(function (item) { list.appendChild(card(item)); });
    target.appendChild(list);
    if (!data.items.length) { target.appendChild(el("p", "empty", "没有找到相关商品")); }
    var pager = el("div", "pager");
    pager.appendChild(el("span", "page", "第 " + data.page + " / " + data.pages + " 页"));
    if (data.next) { pager.appendChild(link("next", data.next, "下一页")); }
    target.appendChild(pager);
  }

  var params = new URLSearchParams(window.location.search);
  var page = app.getAttribute("data-page");
  var pageNo = params.get("page") || "1";

  if (page === "search" || page === "category") {
    var results = document.getElementById("results");
    var category = app.getAttribute("data-category");
    var api = "/api/search?" + (category ? "category=" + encodeURIComponent(category)
                                         : "q=" + encodeURIComponent(params.get("q") || "")) +
              "&page=" + encodeURIComponent(pageNo);
    if (category) {
      var crumb = el("nav", "breadcrumb");
      crumb.setAttribute("data-category", category);
      crumb.appendChild(link("", "/", "首页"));
      crumb.appendChild(document.createTextNode(" > " + category));
      results.appendChild(crumb);
    } else {
      results.appendChild(el("h1", "heading", "搜索：" + (params.get("q") || "")));
    }
    getJSON(api, function (data) { renderList(results, data); }, results);
  } else if (page === "item") {
    var detail = document.getElementById("item-detail");
    getJSON("/api/item/" + encodeURIComponent(app.getAttribute("data-id")), function (it) {
      var crumb = el("nav", "breadcrumb");
      crumb.setAttribute("data-category", it.category);
      crumb.appendChild(link("", "/", "首页"));
      crumb.appendChild(document.createTextNode(" > "));
      crumb.appendChild(link("category-link", "/c/" + it.category, it.category_name));
      detail.appendChild(crumb);
      detail.appendChild(el("h1", C.title, it.title));
      if (it.brand) { detail.appendChild(el("div", "brand", it.brand)); }
      var priceRow = el("div", "price-row");
      priceRow.appendChild(el("span", C.price, it.price_text));
      priceRow.appendChild(el("span", "availability", it.availability === "InStock" ? "有货" : "缺货"));
      priceRow.lastChild.setAttribute("data-availability", it.availability);
      detail.appendChild(priceRow);
      var gallery = el("div", "gallery");
      it.images.forEach(function (src) {
        var img = el("img");
        img.setAttribute("src", src); img.setAttribute("width", "48"); img.setAttribute("height", "48");
        img.setAttribute("alt", "");
        gallery.appendChild(img);
      });
      detail.appendChild(gallery);
      var table = el("table", C.attrs);
      it.attributes.forEach(function (pair) {
        var tr = el("tr");
        tr.appendChild(el("th", "", pair[0]));
        tr.appendChild(el("td", "", pair[1]));
        table.appendChild(tr);
      });
      detail.appendChild(table);
      detail.appendChild(el("div", "desc", it.description));
      var seller = el("div", "seller");
      seller.setAttribute("data-seller-id", it.seller.id);
      seller.appendChild(link(C.sellerName, it.seller.url, it.seller.name));
      seller.appendChild(el("span", "loc", it.seller.location));
      seller.appendChild(el("span", "rating", it.seller.rating));
      seller.appendChild(el("span", "rating-count", it.seller.rating_count));
      detail.appendChild(seller);
    }, detail);
  } else if (page === "shop") {
    var shop = document.getElementById("shop");
    getJSON("/api/shop/" + encodeURIComponent(app.getAttribute("data-id")), function (data) {
      var head = el("div", "shop-head");
      head.appendChild(el("h1", "shop-name", data.seller.name));
      head.appendChild(el("span", "loc", data.seller.location));
      head.appendChild(el("span", "rating", data.seller.rating));
      head.appendChild(el("span", "rating-count", data.seller.rating_count));
      shop.appendChild(head);
      renderList(shop, {total: data.total, items: data.items, page: 1, pages: 1, next: null});
    }, shop);
  } else {
    done();
  }
}());
