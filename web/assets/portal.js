/* 百姓解忧站 — interim citizen portal. Plain script, no dependencies, no build step.
 *
 * Routes (hash): #/ home · #/file/<kind> form · #/file/<kind>/review review · #/done receipt ·
 * #/lookup[/<code>] progress lookup.
 * All text coming from the server or the user is rendered with text nodes, never as HTML.
 */
(function () {
  "use strict";

  var API = "/api";
  var BASE_TITLE = "百姓解忧站 · 郴州市矛盾纠纷一站式受理";
  var NET_ERROR = "网络连接失败，您填写的内容已保存，请稍后重试";
  var BAD_MOBILE = "请填写正确的11位手机号码";
  var BAD_ID_NUMBER = "身份证号码不正确，请核对";
  var REGION_REQUIRED = "请选择所在的乡镇（街道）或村（社区）";
  var DESCRIPTION_MAX = 5000;
  var MAX_PARTIES = 20;
  var STORE = "jieyou.v1.";

  var MEDIATION_PROMISE = "当日受理；简易纠纷3天、一般纠纷7天、较大纠纷20天、重大疑难纠纷30天内办结";
  var SERVICE_PROMISE = "立即办理，能当天办结的当天办结；否则3天内阶段性回复，7天内办结";
  var KINDS = [
    {code: "mediation", name: "矛盾纠纷调解", icon: "handshake",
      summary: "婚姻家庭、邻里、土地、劳动、借贷等纠纷，申请调解员帮您居中调解。",
      promise: MEDIATION_PROMISE, parties: "对方当事人",
      titleHint: "例如：与邻居因排水沟堵塞发生纠纷", descriptionHint: "请写明纠纷经过、涉及的人，以及您希望怎样解决。"},
    {code: "livelihood", name: "民生诉求服务", icon: "home",
      summary: "水电路气、就业社保、教育医疗等生活中遇到的困难和诉求。",
      promise: SERVICE_PROMISE, parties: "相关的人或单位",
      titleHint: "例如：小区停水三天未恢复", descriptionHint: "请写明遇到的困难、发生的地点和时间，以及您的诉求。"},
    {code: "complaint", name: "投诉举报反映", icon: "flag",
      summary: "反映单位或工作人员不作为、乱作为，举报违法违规行为。",
      promise: SERVICE_PROMISE, parties: "被投诉举报的人或单位",
      titleHint: "例如：某窗口多次推诿不予办理", descriptionHint: "请写明事情经过、涉及的单位或人员，以及已有的证据线索。"},
    {code: "consultation", name: "信息咨询服务", icon: "question",
      summary: "咨询政策规定、办事流程和法律问题，由相关部门答复。",
      promise: SERVICE_PROMISE, parties: "相关的人或单位",
      titleHint: "例如：农村宅基地审批需要哪些材料", descriptionHint: "请写明您想咨询的问题和相关情况。"},
    {code: "legal_aid", name: "法律援助申请", icon: "scale",
      summary: "经济困难或特殊案件当事人，申请免费的法律咨询、代理等帮助。",
      promise: SERVICE_PROMISE, parties: "对方当事人",
      titleHint: "例如：追讨拖欠工资申请法律援助", descriptionHint: "请写明案件情况、您的经济状况和需要的帮助。法律援助一般需要填写身份证号码。"}
  ];
  var KIND = {};
  KINDS.forEach(function (k) { KIND[k.code] = k; });
  var COMING_SOON = ["调解组织查询", "部门职能查询", "同类案例查询", "法治讲堂", "以案释法"];
  var CLOCK_NAMES = {accept: "受理时限", stage_reply: "阶段性回复时限", conclude: "办结时限"};
  var CLOCK_ORDER = ["accept", "stage_reply", "conclude"];
  var CLOCK_STATES = {running: "进行中", paused: "已暂停", met: "已按时完成", overdue: "已超时"};

  var app = document.getElementById("app");
  var memory = {catalog: null, catalogPromise: null, pendingErrors: null, busy: false, phone: "", lookupResult: null,
    drafts: {}, receipt: null};

  /* ---------- small helpers ---------- */

  // h("p", {class: "x", onclick: fn}, ["text", node]) — strings always become text nodes.
  function h(tag, attrs, children) {
    var el = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (key) {
        var value = attrs[key];
        if (value === null || value === undefined || value === false) return;
        if (key === "class") el.className = value;
        else if (key === "text") el.textContent = value;
        else if (key.slice(0, 2) === "on") el.addEventListener(key.slice(2), value);
        else if (key === "value") el.value = value;
        else if (key === "checked") el.checked = !!value;
        else el.setAttribute(key, value === true ? "" : String(value));
      });
    }
    append(el, children);
    return el;
  }
  function append(el, children) {
    if (children === null || children === undefined) return el;
    if (!Array.isArray(children)) children = [children];
    children.forEach(function (c) {
      if (c === null || c === undefined || c === false) return;
      el.appendChild(typeof c === "string" || typeof c === "number" ? document.createTextNode(String(c)) : c);
    });
    return el;
  }
  var ICONS = {
    handshake: "M3 11l4-4 4 2 3-2 7 5-2 2M3 11l6 6c1 1 2 1 3 0l5-5M9 13l3 3M12 11l3 3",
    home: "M3 11l9-7 9 7M5 10v10h14V10M10 20v-6h4v6",
    flag: "M5 21V4M5 4h11l-2 4 2 4H5",
    question: "M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18zM9.5 9.5a2.5 2.5 0 1 1 3.5 2.3c-.6.3-1 .9-1 1.6V14M12 17.2v.1",
    scale: "M12 4v16M7 20h10M5 7h14M5 7l-3 7a3 3 0 0 0 6 0L5 7zM19 7l-3 7a3 3 0 0 0 6 0l-3-7z",
    search: "M11 18a7 7 0 1 0 0-14 7 7 0 0 0 0 14zM16 16l5 5"
  };
  function icon(name) {
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    svg.setAttribute("class", "icon");
    var path = document.createElementNS(ns, "path");
    path.setAttribute("d", ICONS[name] || "");
    svg.appendChild(path);
    return svg;
  }

  function storeGet(area, key) {
    try {
      var raw = window[area].getItem(STORE + key);
      return raw ? JSON.parse(raw) : null;
    } catch (e) { return null; }
  }
  function storeSet(area, key, value) {
    try { window[area].setItem(STORE + key, JSON.stringify(value)); return true; } catch (e) { return false; }
  }
  function storeRemove(area, key) {
    try { window[area].removeItem(STORE + key); } catch (e) { /* storage unavailable */ }
  }

  function uuid() {
    var c = window.crypto;
    if (c && typeof c.randomUUID === "function") {
      try { return c.randomUUID(); } catch (e) { /* insecure context: fall through */ }
    }
    var b = new Uint8Array(16);
    if (c && c.getRandomValues) c.getRandomValues(b);
    else for (var i = 0; i < 16; i++) b[i] = Math.floor(Math.random() * 256);
    b[6] = (b[6] & 15) | 64;
    b[8] = (b[8] & 63) | 128;
    var hex = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
  }

  function charCount(s) { return Array.from(s || "").length; }
  function nfkc(s) { return typeof s.normalize === "function" ? s.normalize("NFKC") : s; }

  // Mirrors chalicelib/domain/identity.py: spaces, hyphens, +86 / 0086 / 86 are tolerated.
  function normalizePhone(s) {
    s = nfkc(String(s || "")).replace(/[\s-]/g, "");
    if (s.indexOf("+86") === 0) return s.slice(3);
    if (s.indexOf("0086") === 0) return s.slice(4);
    if (s.indexOf("86") === 0 && s.length === 13) return s.slice(2);
    return s;
  }
  function isMobile(s) { return /^1[3-9][0-9]{9}$/.test(normalizePhone(s)); }

  function isResidentId(s) {
    s = String(s || "").toUpperCase();
    if (!/^[0-9]{17}[0-9X]$/.test(s)) return false;
    var y = +s.slice(6, 10), m = +s.slice(10, 12), d = +s.slice(12, 14);
    var born = new Date(Date.UTC(y, m - 1, d));
    if (y < 1900 || born.getUTCMonth() !== m - 1 || born.getUTCDate() !== d) return false;
    var weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], sum = 0;
    for (var i = 0; i < 17; i++) sum += +s[i] * weights[i];
    return "10X98765432"[sum % 11] === s[17];
  }

  // Tracking codes: 10 symbols of this alphabet, sum(i * value_i) ≡ 0 (mod 31), shown XXX-XXX-XXXX.
  var CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
  function normalizeCode(s) {
    var raw = nfkc(String(s || "")).replace(/[\s-]/g, "").toUpperCase();
    if (raw.length !== 10) return null;
    var sum = 0;
    for (var i = 0; i < 10; i++) {
      var v = CODE_ALPHABET.indexOf(raw[i]);
      if (v < 0) return null;
      sum += (i + 1) * v;
    }
    if (sum % 31 !== 0) return null;
    return raw.slice(0, 3) + "-" + raw.slice(3, 6) + "-" + raw.slice(6);
  }

  /* ---------- time (always China time, UTC+8, no daylight saving) ---------- */

  function chinaParts(iso) {
    var ms = Date.parse(iso);
    if (isNaN(ms)) return null;
    var d = new Date(ms + 8 * 3600 * 1000);
    return {y: d.getUTCFullYear(), m: d.getUTCMonth() + 1, d: d.getUTCDate(), hh: d.getUTCHours(), mm: d.getUTCMinutes(), ms: ms};
  }
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function formatDateTime(iso) {
    var p = chinaParts(iso);
    if (!p) return String(iso || "");
    return p.y + "-" + pad(p.m) + "-" + pad(p.d) + " " + pad(p.hh) + ":" + pad(p.mm);
  }
  // A due time at China midnight closes the previous day: "12月4日 24:00前".
  function formatDue(iso) {
    var p = chinaParts(iso);
    if (!p) return String(iso || "");
    var hh = p.hh, mm = p.mm;
    if (hh === 0 && mm === 0) {
      p = chinaParts(new Date(p.ms - 60000).toISOString());
      hh = 24; mm = 0;
    }
    var thisYear = chinaParts(new Date().toISOString()).y;
    return (p.y !== thisYear ? p.y + "年" : "") + p.m + "月" + p.d + "日 " + pad(hh) + ":" + pad(mm) + "前";
  }
  function formatSpan(ms) {
    var minutes = Math.max(1, Math.round(ms / 60000));
    var days = Math.floor(minutes / 1440), hours = Math.floor((minutes % 1440) / 60), mins = minutes % 60;
    if (days > 0) return days + "天" + (hours ? hours + "小时" : "");
    if (hours > 0) return hours + "小时" + (mins ? mins + "分钟" : "");
    return mins + "分钟";
  }
  function timeLeft(clock) {
    var ms = Date.parse(clock.dueAt) - Date.now();
    if (isNaN(ms)) return "";
    if (clock.state === "running") return ms > 0 ? "还剩" + formatSpan(ms) : "已超时" + formatSpan(-ms);
    if (clock.state === "overdue") return ms < 0 ? "已超时" + formatSpan(-ms) : "";
    if (clock.state === "paused") return "专家咨询或鉴定期间暂停计时";
    return "";
  }

  function deadlineList(deadlines) {
    var names = Object.keys(deadlines || {}).sort(function (a, b) {
      var ia = CLOCK_ORDER.indexOf(a), ib = CLOCK_ORDER.indexOf(b);
      return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib);
    });
    if (!names.length) return h("p", {class: "muted", text: "暂无办理时限信息"});
    return h("ul", {class: "deadlines"}, names.map(function (name) {
      var clock = deadlines[name] || {};
      var state = CLOCK_STATES[clock.state] ? clock.state : "running";
      return h("li", {class: "deadline state-" + state}, [
        h("span", {class: "deadline-name", text: CLOCK_NAMES[name] || name}),
        h("span", {class: "badge badge-" + state, text: CLOCK_STATES[state]}),
        h("span", {class: "deadline-due", text: formatDue(clock.dueAt)}),
        h("span", {class: "deadline-left", text: timeLeft(clock)})
      ]);
    }));
  }

  /* ---------- network ---------- */

  // Resolves to {status, data, headers} or rejects with {network: true} when no answer came back.
  function request(method, path, body, headers) {
    var init = {method: method, headers: {"Accept": "application/json"}, credentials: "same-origin", cache: "no-store"};
    Object.keys(headers || {}).forEach(function (k) { init.headers[k] = headers[k]; });
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    return fetch(API + path, init).then(function (res) {
      return res.text().then(function (text) {
        var data = null;
        try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
        return {status: res.status, data: data, headers: res.headers};
      });
    }, function () { throw {network: true}; });
  }
  function errorOf(res) {
    var err = res.data && res.data.error;
    if (err && typeof err === "object") {
      return {code: String(err.code || ""), message: String(err.message || "提交未成功，请稍后重试"),
        fields: err.fields && typeof err.fields === "object" ? err.fields : {}};
    }
    return {code: "http_" + res.status, message: "服务暂时不可用（" + res.status + "），请稍后重试", fields: {}};
  }

  function loadCatalog() {
    if (memory.catalog) return Promise.resolve(memory.catalog);
    var cached = storeGet("sessionStorage", "catalog");
    if (cached && cached.regions && cached.categories) {
      memory.catalog = cached;
      return Promise.resolve(cached);
    }
    if (!memory.catalogPromise) {
      memory.catalogPromise = request("GET", "/catalog").then(function (res) {
        if (res.status !== 200 || !res.data || !res.data.regions) throw errorOf(res);
        memory.catalog = res.data;
        storeSet("sessionStorage", "catalog", res.data);
        return res.data;
      }).catch(function (e) {
        memory.catalogPromise = null;
        throw e;
      });
    }
    return memory.catalogPromise;
  }
  function findChild(node, code) {
    var list = (node && node.children) || [];
    for (var i = 0; i < list.length; i++) if (list[i].code === code) return list[i];
    return null;
  }

  /* ---------- views: shell ---------- */

  function show(title, nodes) {
    var hadFocus = document.activeElement && document.activeElement !== document.body;
    document.title = title ? title + " - " + BASE_TITLE : BASE_TITLE;
    app.textContent = "";
    append(app, nodes);
    var heading = app.querySelector("h1");
    if (heading) {
      heading.setAttribute("tabindex", "-1");
      if (hadFocus) heading.focus({preventScroll: true});
    }
    window.scrollTo(0, 0);
  }
  function backLink(href, text) {
    return h("a", {class: "back", href: href}, ["‹ ", text || "返回首页"]);
  }
  function notice(kind, nodes, attrs) {
    var a = attrs || {};
    a.class = "notice notice-" + kind + (a.class ? " " + a.class : "");
    return h("div", a, nodes);
  }

  /* ---------- home ---------- */

  function renderHome() {
    var services = KINDS.map(function (k) {
      return h("li", null, h("a", {class: "card service", href: "#/file/" + k.code}, [
        h("span", {class: "service-icon"}, icon(k.icon)),
        h("span", {class: "service-body"}, [
          h("span", {class: "service-name", text: k.name}),
          h("span", {class: "service-summary", text: k.summary}),
          h("span", {class: "service-promise"}, [h("strong", {text: "办理时限："}), k.promise])
        ]),
        h("span", {class: "chevron", "aria-hidden": "true", text: "›"})
      ]));
    });
    show("", [
      h("section", {class: "hero"}, [
        h("h1", {text: "有忧难事，一站受理"}),
        h("p", {text: "足不出户反映矛盾纠纷和民生诉求。各级综治中心、矛调中心统一受理，按“属地+属事”分流到承办单位，全程可查。"})
      ]),
      h("section", {"aria-labelledby": "h-services"}, [
        h("h2", {id: "h-services", text: "在线服务"}),
        h("ul", {class: "cards"}, services)
      ]),
      h("section", {"aria-labelledby": "h-query"}, [
        h("h2", {id: "h-query", text: "在线查询"}),
        h("ul", {class: "cards"}, [
          h("li", null, h("a", {class: "card service", href: "#/lookup"}, [
            h("span", {class: "service-icon"}, icon("search")),
            h("span", {class: "service-body"}, [
              h("span", {class: "service-name", text: "办理情况查询"}),
              h("span", {class: "service-summary", text: "凭查询码和提交时填写的手机号码，查看办理进度、承办单位和办理时限。"})
            ]),
            h("span", {class: "chevron", "aria-hidden": "true", text: "›"})
          ]))
        ])
      ]),
      h("section", {class: "soon", "aria-labelledby": "h-soon"}, [
        h("h2", {id: "h-soon", text: "更多服务（即将上线）"}),
        h("ul", {class: "soon-list"}, COMING_SOON.map(function (name) {
          return h("li", null, [name, h("span", {class: "tag", text: "即将上线"})]);
        }))
      ]),
      h("section", {class: "promise", "aria-labelledby": "h-promise"}, [
        h("h2", {id: "h-promise", text: "我们的承诺：“137+2030”"}),
        h("ul", null, [
          h("li", null, [h("strong", {text: "民生诉求、投诉举报、信息咨询、法律援助："}), SERVICE_PROMISE + "。"]),
          h("li", null, [h("strong", {text: "矛盾纠纷调解："}), MEDIATION_PROMISE + "。"]),
          h("li", {text: "需要专家咨询或鉴定的时间不计入期限；超时未办结的事项由综治中心督办。"})
        ])
      ])
    ]);
  }

  /* ---------- drafts ---------- */

  function emptyDraft(kind) {
    return {kind: kind, key: uuid(), title: "", description: "", category: "", address: "",
      county: "", township: "", village: "", applicant: {name: "", phone: "", idNumber: ""},
      otherParties: [], massInvolved: false, unsettled: [], updatedAt: null};
  }
  // Drafts live in memory and in localStorage, so the page still works when storage is unavailable.
  function loadDraft(kind) {
    if (memory.drafts[kind]) return memory.drafts[kind];
    var d = storeGet("localStorage", "draft." + kind);
    if (!d || typeof d !== "object" || !d.key) return newDraft(kind);
    var base = emptyDraft(kind);
    Object.keys(base).forEach(function (k) { if (d[k] === undefined || d[k] === null) d[k] = base[k]; });
    if (!Array.isArray(d.otherParties)) d.otherParties = [];
    if (!Array.isArray(d.unsettled)) d.unsettled = [];
    memory.drafts[kind] = d;
    return d;
  }
  function newDraft(kind) {
    memory.drafts[kind] = emptyDraft(kind);
    return memory.drafts[kind];
  }
  function saveDraft(kind, draft) {
    draft.updatedAt = new Date().toISOString();
    memory.drafts[kind] = draft;
    return storeSet("localStorage", "draft." + kind, draft);
  }
  function dropDraft(kind) {
    delete memory.drafts[kind];
    storeRemove("localStorage", "draft." + kind);
  }
  function hasContent(draft) {
    return !!(draft.title || draft.description || draft.address || draft.county || draft.applicant.name ||
      draft.applicant.phone || draft.applicant.idNumber || draft.otherParties.length);
  }

  function trimmed(s) { return String(s || "").trim(); }
  function buildBody(kind, d) {
    var body = {kind: kind, title: trimmed(d.title), description: trimmed(d.description),
      regionCode: d.village || d.township || ""};
    if (d.category) body.category = d.category;
    if (trimmed(d.address)) body.address = trimmed(d.address);
    body.applicant = {name: trimmed(d.applicant.name), phone: trimmed(d.applicant.phone)};
    if (trimmed(d.applicant.idNumber)) body.applicant.idNumber = trimmed(d.applicant.idNumber).toUpperCase();
    var parties = [];
    d.otherParties.forEach(function (p) {
      var name = trimmed(p.name), phone = trimmed(p.phone);
      if (!name && !phone) return;
      var party = {name: name};
      if (phone) party.phone = phone;
      parties.push(party);
    });
    if (parties.length) body.otherParties = parties;
    body.massInvolved = !!d.massInvolved;
    return body;
  }

  // Same rules and wording as the server (chalicelib/domain/validation.py).
  function validateBody(body) {
    var f = {};
    var len = function (s) { return charCount(s); };
    if (!body.title) f.title = "请填写标题";
    else if (len(body.title) < 2) f.title = "标题至少2个字";
    else if (len(body.title) > 100) f.title = "标题不能超过100个字";
    if (!body.description) f.description = "请填写情况描述";
    else if (len(body.description) < 5) f.description = "情况描述至少5个字";
    else if (len(body.description) > DESCRIPTION_MAX) f.description = "情况描述不能超过5000个字";
    if (!/^([0-9]{9}|[0-9]{12})$/.test(body.regionCode)) f.regionCode = REGION_REQUIRED;
    if (body.kind === "mediation" && !body.category) f.category = "请选择纠纷类别";
    if (body.address && len(body.address) > 200) f.address = "详细地址不能超过200个字";
    if (!body.applicant.name) f["applicant.name"] = "请填写申请人姓名";
    else if (len(body.applicant.name) > 50) f["applicant.name"] = "申请人姓名不能超过50个字";
    if (!body.applicant.phone) f["applicant.phone"] = "请填写申请人手机号码";
    else if (!isMobile(body.applicant.phone)) f["applicant.phone"] = BAD_MOBILE;
    if (body.applicant.idNumber && !isResidentId(body.applicant.idNumber)) f["applicant.idNumber"] = BAD_ID_NUMBER;
    return f;
  }
  // Party errors are reported against the rows as displayed (blank rows are dropped from the body).
  function validateParties(d) {
    var f = {};
    d.otherParties.forEach(function (p, i) {
      var name = trimmed(p.name), phone = trimmed(p.phone);
      if (!name && !phone) return;
      if (!name) f["otherParties." + i + ".name"] = "请填写对方当事人姓名";
      else if (charCount(name) > 50) f["otherParties." + i + ".name"] = "对方当事人姓名不能超过50个字";
      if (phone && !isMobile(phone)) f["otherParties." + i + ".phone"] = BAD_MOBILE;
    });
    return f;
  }
  // Server paths count only the rows that were sent; map them back to the rows on screen.
  function serverToDisplayPaths(d, fields) {
    var sentRows = [];
    d.otherParties.forEach(function (p, i) { if (trimmed(p.name) || trimmed(p.phone)) sentRows.push(i); });
    var out = {};
    Object.keys(fields).forEach(function (path) {
      var m = /^otherParties\.(\d+)(\..*)?$/.exec(path);
      if (m && sentRows[+m[1]] !== undefined) out["otherParties." + sentRows[+m[1]] + (m[2] || "")] = fields[path];
      else out[path] = fields[path];
    });
    return out;
  }

  /* ---------- filing form ---------- */

  function fieldId(path) { return "f-" + path.replace(/\./g, "-"); }

  function renderFile(kind, wantReview) {
    var k = KIND[kind];
    show(k.name, [backLink("#/"), h("h1", {text: k.name}), h("p", {class: "loading", text: "正在加载地区和类别…"})]);
    loadCatalog().then(function (catalog) {
      if (location.hash.indexOf("#/file/" + kind) !== 0) return;  // navigated away meanwhile
      var draft = loadDraft(kind);
      if (wantReview && !hasContent(draft)) {
        location.replace("#/file/" + kind);
        return;
      }
      if (wantReview) {
        var body = buildBody(kind, draft);
        var errors = validateBody(body);
        var partyErrors = validateParties(draft);
        Object.keys(partyErrors).forEach(function (p) { errors[p] = partyErrors[p]; });
        if (Object.keys(errors).length) {
          memory.pendingErrors = {message: "请先补充或修改以下内容", fields: errors};
          location.replace("#/file/" + kind);
          return;
        }
        renderReview(kind, catalog, draft, body);
      } else {
        renderForm(kind, catalog, draft);
      }
    }, function (err) {
      show(k.name, [
        backLink("#/"), h("h1", {text: k.name}),
        notice("error", [h("p", {text: err && err.network ? "网络连接失败，无法加载地区和类别，请稍后重试" : (err && err.message) || "加载失败，请稍后重试"})], {role: "alert"}),
        h("button", {type: "button", class: "btn btn-primary", text: "重试", onclick: route})
      ]);
    });
  }

  function renderForm(kind, catalog, draft) {
    var k = KIND[kind];
    var fields = {};  // path -> {control, error}
    var form = h("form", {class: "form", novalidate: true, "aria-labelledby": "form-heading"});
    var summary = h("div", {class: "summary", id: "form-errors", tabindex: "-1", hidden: true});
    var savedNote = h("p", {class: "saved-note muted", "aria-live": "off"});

    function control(path, el, label, opts) {
      opts = opts || {};
      var id = opts.id || fieldId(path);
      el.id = id;
      if (!opts.noName) el.name = path;
      var hintId = id + "-hint", errId = id + "-error";
      var hint = opts.hint ? h("p", {class: "hint", id: hintId, text: opts.hint}) : null;
      var error = h("p", {class: "field-error", id: errId, hidden: true});
      var describedBy = [hint ? hintId : null, opts.counterId || null].filter(Boolean).join(" ");
      if (describedBy) el.setAttribute("aria-describedby", describedBy);
      el.setAttribute("data-described", describedBy);
      fields[path] = {control: el, error: error};
      var labelEl = h("label", {for: id}, [label, opts.optional ? h("span", {class: "optional", text: "（选填）"}) : null,
        opts.required ? h("span", {class: "required", "aria-hidden": "true", text: " *"}) : null]);
      return h("div", {class: "field" + (opts.inline ? " field-inline" : "")},
        opts.inline ? [el, labelEl, hint, error] : [labelEl, hint, error, el, opts.after || null]);
    }

    /* region picker */
    var region = catalog.regions;
    var county = h("select", {id: "county", name: "county", autocomplete: "off"});
    var township = h("select", {id: "township", name: "township", autocomplete: "off"});
    var village = h("select", {id: "village", name: "village", autocomplete: "off"});
    function fillSelect(select, node, placeholder, value) {
      select.textContent = "";
      select.appendChild(h("option", {value: "", text: placeholder}));
      var list = (node && node.children) || [];
      list.forEach(function (c) { select.appendChild(h("option", {value: c.code, text: c.name})); });
      select.value = findChild(node, value) ? value : "";
      select.disabled = !node;
    }
    function refreshRegion() {
      var c = findChild(region, draft.county);
      if (!c) draft.county = "";
      fillSelect(county, region, "请选择县市区", draft.county);
      var t = findChild(c, draft.township);
      if (!t) draft.township = "";
      fillSelect(township, c, c ? "请选择乡镇（街道）" : "请先选择县市区", draft.township);
      var v = findChild(t, draft.village);
      if (!v) draft.village = "";
      fillSelect(village, t, t ? "不选择（由乡镇街道受理）" : "请先选择乡镇（街道）", draft.village);
    }
    county.addEventListener("change", function () { draft.county = county.value; draft.township = ""; draft.village = ""; refreshRegion(); });
    township.addEventListener("change", function () { draft.township = township.value; draft.village = ""; refreshRegion(); });
    village.addEventListener("change", function () { draft.village = village.value; });
    refreshRegion();
    var regionError = h("p", {class: "field-error", id: "region-error", hidden: true});
    fields.regionCode = {control: county, error: regionError, others: [township, village]};
    [county, township, village].forEach(function (s) { s.setAttribute("data-described", ""); });
    var regionSet = h("fieldset", {class: "group", id: "region"}, [
      h("legend", null, ["所在地区", h("span", {class: "required", "aria-hidden": "true", text: " *"})]),
      h("p", {class: "hint", text: "选择事情发生地或您居住地所在的乡镇（街道），可进一步选择村（社区）。"}),
      regionError,
      h("div", {class: "field"}, [h("label", {for: "county", text: "县市区"}), county]),
      h("div", {class: "field"}, [h("label", {for: "township", text: "乡镇（街道）"}), township]),
      h("div", {class: "field"}, [h("label", {for: "village"}, ["村（社区）", h("span", {class: "optional", text: "（选填）"})]), village])
    ]);
    fields.regionCode.wrap = regionSet;

    /* plain fields */
    var category = h("select", null, [h("option", {value: "", text: "请选择"})].concat(
      (catalog.categories || []).map(function (c) { return h("option", {value: c.code, text: c.name}); })));
    category.value = draft.category || "";
    var title = h("input", {type: "text", maxlength: "100", autocomplete: "off", value: draft.title, placeholder: k.titleHint});
    var description = h("textarea", {rows: "7", value: draft.description});
    description.value = draft.description;
    var counter = h("p", {class: "counter", id: "description-counter"});
    function updateCounter() {
      var n = charCount(description.value);
      counter.textContent = "已输入 " + n + " / " + DESCRIPTION_MAX + " 字" + (n > DESCRIPTION_MAX ? "，超出 " + (n - DESCRIPTION_MAX) + " 字" : "");
      counter.className = "counter" + (n > DESCRIPTION_MAX ? " over" : "");
    }
    updateCounter();
    description.addEventListener("input", updateCounter);
    var address = h("input", {type: "text", maxlength: "200", autocomplete: "street-address", value: draft.address});
    var name = h("input", {type: "text", maxlength: "50", autocomplete: "name", value: draft.applicant.name});
    var phone = h("input", {type: "tel", inputmode: "numeric", maxlength: "20", autocomplete: "tel", value: draft.applicant.phone});
    var idNumber = h("input", {type: "text", maxlength: "18", autocomplete: "off", autocapitalize: "characters", spellcheck: "false", value: draft.applicant.idNumber});
    var mass = h("input", {type: "checkbox", checked: draft.massInvolved});

    /* other parties */
    var partyList = h("div", {class: "parties"});
    var addParty = h("button", {type: "button", class: "btn btn-secondary", id: "add-party"}, "＋ 添加" + k.parties);
    function renderParties() {
      partyList.textContent = "";
      Object.keys(fields).forEach(function (p) { if (p.indexOf("otherParties.") === 0) delete fields[p]; });
      draft.otherParties.forEach(function (p, i) {
        var pn = h("input", {type: "text", maxlength: "50", autocomplete: "off", value: p.name || "", "data-party": i, "data-key": "name"});
        var pp = h("input", {type: "tel", inputmode: "numeric", maxlength: "20", autocomplete: "off", value: p.phone || "", "data-party": i, "data-key": "phone"});
        var remove = h("button", {type: "button", class: "btn btn-link remove-party", "aria-label": "删除第" + (i + 1) + "位" + k.parties,
          text: "删除", onclick: function () {
            collect();
            draft.otherParties.splice(i, 1);
            renderParties();
            persist();
            (draft.otherParties.length ? partyList.querySelector("input") : addParty).focus();
          }});
        var rowError = h("p", {class: "field-error", id: fieldId("otherParties." + i) + "-error", hidden: true});
        fields["otherParties." + i] = {control: pn, error: rowError};
        partyList.appendChild(h("fieldset", {class: "party"}, [
          h("legend", {text: k.parties + " " + (i + 1)}),
          rowError,
          control("otherParties." + i + ".name", pn, "姓名或单位名称", {required: true}),
          control("otherParties." + i + ".phone", pp, "手机号码", {optional: true}),
          remove
        ]));
      });
      addParty.hidden = draft.otherParties.length >= MAX_PARTIES;
    }
    addParty.addEventListener("click", function () {
      collect();
      draft.otherParties.push({name: "", phone: ""});
      renderParties();
      persist();
      var inputs = partyList.querySelectorAll("input[data-key=name]");
      inputs[inputs.length - 1].focus();
    });
    renderParties();

    function collect() {
      draft.title = title.value;
      draft.description = description.value;
      draft.category = category.value;
      draft.address = address.value;
      draft.applicant = {name: name.value, phone: phone.value, idNumber: idNumber.value};
      draft.massInvolved = mass.checked;
      draft.county = county.value; draft.township = township.value; draft.village = village.value;
      Array.prototype.forEach.call(partyList.querySelectorAll("input[data-party]"), function (el) {
        var row = draft.otherParties[+el.getAttribute("data-party")];
        if (row) row[el.getAttribute("data-key")] = el.value;
      });
    }
    function persist() {
      var ok = saveDraft(kind, draft);
      savedNote.textContent = ok ? "已自动保存草稿（仅保存在本机）" : "本机无法保存草稿，请勿关闭页面";
    }
    form.addEventListener("input", function () { collect(); persist(); });
    form.addEventListener("change", function () { collect(); persist(); });

    function setError(path, message) {
      var f = fields[path];
      if (!f) return false;
      var els = [f.control].concat(f.others || []);
      f.error.textContent = message ? "⚠ " + message : "";
      f.error.hidden = !message;
      els.forEach(function (el) {
        var described = el.getAttribute("data-described");
        var ids = (message ? [f.error.id || (f.error.id = el.id + "-error")] : []).concat(described ? [described] : []);
        if (ids.length) el.setAttribute("aria-describedby", ids.join(" ")); else el.removeAttribute("aria-describedby");
        if (message) el.setAttribute("aria-invalid", "true"); else el.removeAttribute("aria-invalid");
      });
      var wrap = f.wrap || f.control.closest(".field, .group");
      if (wrap) wrap.classList.toggle("has-error", !!message);
      return true;
    }
    function clearErrors() {
      Object.keys(fields).forEach(function (p) { setError(p, ""); });
      summary.hidden = true;
      summary.textContent = "";
    }
    function showErrors(message, fieldErrors) {
      clearErrors();
      var items = [];
      Object.keys(fieldErrors || {}).forEach(function (path) {
        var msg = String(fieldErrors[path]);
        var placed = setError(path, msg);
        var target = fields[path] ? fields[path].control : null;
        if (target && target.disabled) target = county;
        items.push(h("li", null, placed && target ? h("a", {href: "#" + target.id, onclick: function (e) {
          e.preventDefault();
          target.focus();
          target.scrollIntoView({block: "center"});
        }, text: msg}) : msg));
      });
      summary.appendChild(h("p", {class: "summary-title", text: message || "请修改以下内容"}));
      if (items.length) summary.appendChild(h("ul", null, items));
      summary.hidden = false;
      summary.setAttribute("role", "alert");
      summary.focus();
    }

    form.addEventListener("submit", function (e) { e.preventDefault(); toReview(); });
    function toReview() {
      collect();
      persist();
      var body = buildBody(kind, draft);
      var errors = validateBody(body);
      var partyErrors = validateParties(draft);
      Object.keys(partyErrors).forEach(function (p) { errors[p] = partyErrors[p]; });
      if (Object.keys(errors).length) {
        showErrors("请补充或修改以下" + Object.keys(errors).length + "项内容", errors);
        return;
      }
      location.hash = "#/file/" + kind + "/review";
    }
    function discard() {
      if (!window.confirm("确定清空本页已填写的内容吗？")) return;
      dropDraft(kind);
      route();
    }

    var massField = control("massInvolved", mass, "涉及多人（涉众）", {inline: true, noName: false,
      hint: "涉及人数众多的群体性纠纷请勾选，将由综治中心组织联调联处。"});

    append(form, [
      h("h2", {id: "form-heading", class: "visually-hidden", text: k.name + "申请表"}),
      summary,
      h("section", {class: "panel"}, [
        h("h2", {text: "反映的事情"}),
        control("category", category, kind === "mediation" ? "纠纷类别" : "事项类别",
          {required: kind === "mediation", optional: kind !== "mediation"}),
        control("title", title, "标题", {required: true, hint: "一句话概括，2～100字。"}),
        control("description", description, "情况描述", {required: true, hint: k.descriptionHint, counterId: "description-counter", after: counter}),
        regionSet,
        control("address", address, "详细地址", {optional: true, hint: "如街道门牌、小区楼栋、组名等。"}),
        massField
      ]),
      h("section", {class: "panel"}, [
        h("h2", {text: "申请人信息"}),
        control("applicant.name", name, "姓名", {required: true}),
        control("applicant.phone", phone, "手机号码", {required: true, hint: "11位手机号码，用于接收办理情况和查询进度。"}),
        control("applicant.idNumber", idNumber, "身份证号码", {optional: true, hint: kind === "legal_aid" ? "申请法律援助一般需要核实身份，建议填写。" : "18位居民身份证号码。"})
      ]),
      h("section", {class: "panel"}, [
        h("h2", null, [k.parties, h("span", {class: "optional", text: "（选填）"})]),
        partyList,
        addParty
      ]),
      h("div", {class: "actions"}, [
        h("button", {type: "submit", class: "btn btn-primary btn-block", id: "to-review", text: "下一步：核对信息"}),
        savedNote,
        h("button", {type: "button", class: "btn btn-link", id: "discard-draft", text: "清空已填内容", onclick: discard})
      ])
    ]);

    var intro = notice("info", [
      h("p", null, [h("strong", {text: "办理时限："}), k.promise + "。"]),
      h("p", {text: "带 * 的为必填项。填写的内容会自动保存在本机，下次打开可继续填写。"})
    ]);
    show(k.name, [backLink("#/"), h("h1", {text: k.name}), intro, form]);
    savedNote.textContent = draft.updatedAt ? "已恢复上次填写的草稿（仅保存在本机）" : "";

    if (memory.pendingErrors) {
      var pe = memory.pendingErrors;
      memory.pendingErrors = null;
      showErrors(pe.message, serverToDisplayPaths(draft, pe.fields || {}));
    }
  }

  /* ---------- review and submit ---------- */

  function regionPath(catalog, d) {
    var c = findChild(catalog.regions, d.county), t = findChild(c, d.township), v = findChild(t, d.village);
    return [catalog.regions.name, c && c.name, t && t.name, v && v.name].filter(Boolean).join(" / ");
  }
  function categoryName(catalog, code) {
    var list = catalog.categories || [];
    for (var i = 0; i < list.length; i++) if (list[i].code === code) return list[i].name;
    return code;
  }

  function renderReview(kind, catalog, draft, body) {
    var k = KIND[kind];
    var status = h("div", {id: "submit-status", "aria-live": "assertive"});
    function row(label, value, cls) {
      return [h("dt", {text: label}), h("dd", {class: cls || null, text: value === "" || value === undefined ? "未填写" : value})];
    }
    var items = [].concat(
      row("事项类型", k.name),
      row(kind === "mediation" ? "纠纷类别" : "事项类别", body.category ? categoryName(catalog, body.category) : ""),
      row("标题", body.title),
      row("情况描述", body.description, "pre"),
      row("所在地区", regionPath(catalog, draft) + (draft.village ? "" : "（由乡镇街道受理）")),
      row("详细地址", body.address || ""),
      row("涉及多人（涉众）", body.massInvolved ? "是" : "否"),
      row("申请人姓名", body.applicant.name),
      row("手机号码", normalizePhone(body.applicant.phone)),
      row("身份证号码", body.applicant.idNumber || "")
    );
    var parties = body.otherParties || [];
    items = items.concat(row(k.parties, parties.length ? "" : "无"));
    if (parties.length) {
      items[items.length - 1].textContent = "";
      items[items.length - 1].appendChild(h("ul", {class: "plain"}, parties.map(function (p) {
        return h("li", {text: p.name + (p.phone ? "，" + normalizePhone(p.phone) : "")});
      })));
    }
    var submitBtn = h("button", {type: "button", class: "btn btn-primary btn-block", id: "submit", text: "确认提交"});
    submitBtn.addEventListener("click", function () { submit(kind, submitBtn, status); });
    show(k.name + " 核对", [
      backLink("#/file/" + kind, "返回修改"),
      h("h1", {text: "请核对填写的信息"}),
      h("p", {class: "muted", text: "确认无误后提交。提交后请记下查询码，凭查询码和手机号码查询办理进度。"}),
      status,
      h("dl", {class: "review"}, items),
      h("div", {class: "actions"}, [
        submitBtn,
        h("a", {class: "btn btn-secondary btn-block", href: "#/file/" + kind, text: "返回修改"})
      ])
    ]);
  }

  function submit(kind, button, status) {
    if (memory.busy) return;
    var draft = loadDraft(kind);
    var body = buildBody(kind, draft);
    memory.busy = true;
    button.disabled = true;
    button.textContent = "正在提交…";
    status.textContent = "";
    function done() {
      memory.busy = false;
      button.disabled = false;
      button.textContent = "确认提交";
    }
    function fail(message) {
      status.textContent = "";
      status.appendChild(notice("error", [h("p", {text: message})], {role: "alert"}));
      status.scrollIntoView({block: "center"});
    }
    var sent = JSON.stringify(body);
    post(body, draft.key).then(function (res) {
      if (res.status === 201 && res.data && res.data.trackingCode) return finish(kind, draft, res.data, false);
      var err = errorOf(res);
      if (res.status === 409 && err.code === "idempotency_key_reused") {
        // An earlier attempt whose answer was lost was filed, then the draft changed. Recover
        // that filing's receipt instead of filing twice.
        return recover(kind, draft).then(function (receipt) {
          if (receipt) return finish(kind, draft, receipt, true);
          draft.key = uuid();
          draft.unsettled = [];
          saveDraft(kind, draft);
          done();
          fail("无法确认此前的提交是否成功，请再次点击“确认提交”。如已收到查询码，请勿重复提交。");
        });
      }
      done();
      if (res.status === 400 && Object.keys(err.fields).length) {
        memory.pendingErrors = err;
        location.hash = "#/file/" + kind;
        return;
      }
      fail(err.message + (res.status >= 500 || res.status === 429 ? "。您填写的内容已保存。" : ""));
    }).catch(function () {
      // No answer: the server may or may not have filed this body; remember it for recovery.
      if (draft.unsettled.indexOf(sent) < 0) draft.unsettled = draft.unsettled.concat([sent]).slice(-5);
      saveDraft(kind, draft);
      done();
      fail(NET_ERROR);
    });
  }
  function post(body, key) {
    return request("POST", "/matters", body, {"Idempotency-Key": key});
  }
  function recover(kind, draft) {
    var candidates = draft.unsettled.slice().reverse();
    function next(i) {
      if (i >= candidates.length) return Promise.resolve(null);
      var body;
      try { body = JSON.parse(candidates[i]); } catch (e) { return next(i + 1); }
      return post(body, draft.key).then(function (res) {
        return res.status === 201 && res.data && res.data.trackingCode ? res.data : next(i + 1);
      });
    }
    return next(0);
  }
  function finish(kind, draft, receipt, recovered) {
    memory.busy = false;
    memory.phone = normalizePhone(draft.applicant.phone);
    dropDraft(kind);
    var record = {kind: kind, receipt: receipt, recovered: recovered, at: new Date().toISOString()};
    storeSet("sessionStorage", "receipt", record);
    memory.receipt = record;
    var history = storeGet("localStorage", "history") || [];
    history = [{trackingCode: receipt.trackingCode, kind: kind, at: record.at}].concat(
      history.filter(function (x) { return x && x.trackingCode !== receipt.trackingCode; })).slice(0, 10);
    storeSet("localStorage", "history", history);
    location.replace("#/done");
  }

  /* ---------- success ---------- */

  function copyText(text) {
    if (navigator.clipboard && navigator.clipboard.writeText) {
      return navigator.clipboard.writeText(text).then(function () { return true; }, function () { return legacyCopy(text); });
    }
    return Promise.resolve(legacyCopy(text));
  }
  function legacyCopy(text) {
    var ta = h("textarea", {readonly: true, class: "visually-hidden"});
    ta.value = text;
    document.body.appendChild(ta);
    ta.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    document.body.removeChild(ta);
    return ok;
  }

  function renderDone() {
    var record = memory.receipt || storeGet("sessionStorage", "receipt");
    if (!record || !record.receipt || !record.receipt.trackingCode) { location.replace("#/"); return; }
    var receipt = record.receipt, code = String(receipt.trackingCode);
    var k = KIND[record.kind] || {name: "事项", promise: ""};
    var copied = h("span", {class: "copied", "aria-live": "polite"});
    var copyBtn = h("button", {type: "button", class: "btn btn-secondary", id: "copy-code", text: "复制"});
    copyBtn.addEventListener("click", function () {
      copyText(code).then(function (ok) {
        copied.textContent = ok ? "已复制" : "复制失败，请手动记下";
      });
    });
    show("提交成功", [
      h("div", {class: "success-mark", "aria-hidden": "true"}, "✓"),
      h("h1", {class: "center", text: "提交成功"}),
      h("p", {class: "center", text: "您的" + k.name + "申请已受理，正在分流至承办单位。"}),
      record.recovered ? notice("warn", [h("p", {text: "此前因网络中断未收到结果的那次提交已经成功受理，以下是它的查询码。之后修改的内容没有再次提交，如需补充，请联系承办单位。"})]) : null,
      h("section", {class: "code-box", "aria-labelledby": "code-label"}, [
        h("p", {id: "code-label", class: "code-label", text: "查询码"}),
        h("p", {class: "code", id: "tracking-code", text: code}),
        h("div", {class: "code-actions"}, [copyBtn, copied]),
        h("p", {class: "code-note", text: "请牢记查询码（建议截图或抄写保存）。查询进度时需同时输入查询码和提交时填写的手机号码。"})
      ]),
      h("section", {class: "panel"}, [
        h("h2", {text: "办理时限"}),
        deadlineList(receipt.deadlines),
        h("p", {class: "muted", text: k.promise ? "按规定：" + k.promise + "。承办单位确定难易级别后，办结时限可能相应调整。" : ""})
      ]),
      h("div", {class: "actions"}, [
        h("a", {class: "btn btn-primary btn-block", href: "#/lookup/" + encodeURIComponent(code), text: "查询办理进度"}),
        h("a", {class: "btn btn-secondary btn-block", href: "#/", text: "返回首页"})
      ])
    ]);
  }

  /* ---------- lookup ---------- */

  function renderLookup(prefill) {
    var codeInput = h("input", {type: "text", id: "lookup-code", name: "trackingCode", autocomplete: "off", autocapitalize: "characters",
      spellcheck: "false", maxlength: "20", placeholder: "如 7KX-M2P-Q9ZA", "aria-describedby": "lookup-code-hint"});
    var phoneInput = h("input", {type: "tel", id: "lookup-phone", name: "phone", inputmode: "numeric", autocomplete: "tel",
      maxlength: "20", "aria-describedby": "lookup-phone-hint"});
    codeInput.value = prefill ? (normalizeCode(prefill) || prefill) : "";
    phoneInput.value = memory.phone || "";
    var codeError = h("p", {class: "field-error", id: "lookup-code-error", hidden: true});
    var phoneError = h("p", {class: "field-error", id: "lookup-phone-error", hidden: true});
    var status = h("div", {id: "lookup-message", "aria-live": "assertive"});
    var result = h("div", {id: "lookup-result"});
    var button = h("button", {type: "submit", class: "btn btn-primary btn-block", id: "lookup-submit", text: "查询"});

    function setErr(input, errEl, hintId, message) {
      errEl.textContent = message ? "⚠ " + message : "";
      errEl.hidden = !message;
      input.setAttribute("aria-describedby", (message ? errEl.id + " " : "") + hintId);
      if (message) input.setAttribute("aria-invalid", "true"); else input.removeAttribute("aria-invalid");
      input.closest(".field").classList.toggle("has-error", !!message);
    }
    function say(kind, message) {
      status.textContent = "";
      if (message) status.appendChild(notice(kind, [h("p", {text: message})], {role: kind === "error" ? "alert" : null}));
    }

    var form = h("form", {class: "form panel", novalidate: true, onsubmit: function (e) {
      e.preventDefault();
      if (memory.busy) return;
      var code = normalizeCode(codeInput.value);
      var phone = normalizePhone(phoneInput.value);
      say("", "");
      result.textContent = "";
      setErr(codeInput, codeError, "lookup-code-hint", code ? "" : (trimmed(codeInput.value) ? "查询码不正确，请核对" : "请填写查询码"));
      setErr(phoneInput, phoneError, "lookup-phone-hint", isMobile(phone) ? "" : (trimmed(phoneInput.value) ? BAD_MOBILE : "请填写提交时的手机号码"));
      if (!code) { codeInput.focus(); return; }
      if (!isMobile(phone)) { phoneInput.focus(); return; }
      codeInput.value = code;
      memory.busy = true;
      button.disabled = true;
      button.textContent = "正在查询…";
      request("GET", "/matters/" + encodeURIComponent(code) + "?phone=" + encodeURIComponent(phone)).then(function (res) {
        if (res.status === 200 && res.data && res.data.trackingCode) {
          memory.phone = phone;
          memory.lookupResult = res.data;
          append(result, matterView(res.data));
          var heading = result.querySelector("h2");
          if (heading) { heading.setAttribute("tabindex", "-1"); heading.focus(); }
        } else {
          say("error", errorOf(res).message);
        }
      }, function () {
        say("error", "网络连接失败，请检查网络后重试");
      }).then(function () {
        memory.busy = false;
        button.disabled = false;
        button.textContent = "查询";
      });
    }}, [
      h("div", {class: "field"}, [
        h("label", {for: "lookup-code", text: "查询码"}),
        h("p", {class: "hint", id: "lookup-code-hint", text: "提交成功后页面显示的10位查询码，不区分大小写。"}),
        codeError, codeInput
      ]),
      h("div", {class: "field"}, [
        h("label", {for: "lookup-phone", text: "手机号码"}),
        h("p", {class: "hint", id: "lookup-phone-hint", text: "提交申请时填写的11位手机号码。"}),
        phoneError, phoneInput
      ]),
      button
    ]);

    var history = (storeGet("localStorage", "history") || []).filter(function (x) { return x && x.trackingCode; });
    var recent = history.length ? h("section", {class: "recent", "aria-labelledby": "h-recent"}, [
      h("h2", {id: "h-recent", text: "本机提交过的事项"}),
      h("ul", {class: "plain"}, history.map(function (x) {
        return h("li", null, h("button", {type: "button", class: "btn btn-link", onclick: function () {
          codeInput.value = x.trackingCode;
          phoneInput.focus();
        }}, [String(x.trackingCode), h("span", {class: "muted", text: " " + ((KIND[x.kind] || {}).name || "") + " " + formatDateTime(x.at).slice(0, 10)})]));
      }))
    ]) : null;

    show("办理情况查询", [backLink("#/"), h("h1", {text: "办理情况查询"}), form, recent, status, result]);
    if (memory.lookupResult && normalizeCode(codeInput.value) === memory.lookupResult.trackingCode) {
      append(result, matterView(memory.lookupResult));
    }
  }

  function matterView(m) {
    var k = KIND[m.kind];
    var timeline = Array.isArray(m.timeline) ? m.timeline.slice().reverse() : [];
    return h("section", {class: "panel matter", "aria-labelledby": "matter-heading"}, [
      h("h2", {id: "matter-heading", text: m.title ? String(m.title) : "事项详情"}),
      h("dl", {class: "facts"}, [
        h("dt", {text: "办理状态"}),
        h("dd", null, [h("span", {class: "status", id: "lookup-status", text: String(m.statusName || m.status || "")}),
          m.overdue ? h("span", {class: "badge badge-overdue", text: "已超时"}) : null]),
        h("dt", {text: "承办单位"}), h("dd", {id: "lookup-unit", text: m.currentUnit ? String(m.currentUnit) : "正在分流"}),
        h("dt", {text: "查询码"}), h("dd", {class: "mono", text: String(m.trackingCode)}),
        h("dt", {text: "事项类型"}), h("dd", {text: k ? k.name : String(m.kind || "")}),
        h("dt", {text: "受理时间"}), h("dd", {text: formatDateTime(m.receivedAt)})
      ]),
      h("h3", {text: "办理时限"}),
      deadlineList(m.deadlines),
      h("h3", {text: "办理过程"}),
      timeline.length ? h("ol", {class: "timeline"}, timeline.map(function (e) {
        return h("li", null, [h("time", {datetime: String(e.at || ""), text: formatDateTime(e.at)}), h("p", {text: String(e.text || "")})]);
      })) : h("p", {class: "muted", text: "暂无办理记录"})
    ]);
  }

  /* ---------- router ---------- */

  function route() {
    var hash = location.hash.replace(/^#/, "");
    var parts = hash.split("/").filter(Boolean);
    if (parts[0] === "file" && KIND[parts[1]]) return renderFile(parts[1], parts[2] === "review");
    if (parts[0] === "done") return renderDone();
    if (parts[0] === "lookup") return renderLookup(parts[1] ? decodeURIComponent(parts[1]) : "");
    if (hash && hash !== "/") {
      location.replace("#/");
      return;
    }
    renderHome();
  }

  window.addEventListener("hashchange", route);
  // The skip link moves focus without touching the hash (the hash is the route).
  document.addEventListener("click", function (e) {
    var a = e.target.closest && e.target.closest("a.skip");
    if (!a) return;
    e.preventDefault();
    app.focus();
  });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", route);
  else route();
})();
