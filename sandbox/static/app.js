"use strict";
// The sandbox page: everything is built with DOM nodes and textContent, never innerHTML,
// so neither user text nor the bot's HTML can inject markup.

const API = "/sandbox/api";
const state = { users: [], chats: [], bot: null };

async function api(method, path, body) {
  const init = { method, headers: {} };
  if (body instanceof FormData) {
    init.body = body;
  } else if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const response = await fetch(API + path, init);
  const data = await response.json();
  if (!data.ok) {
    toast(data.error || "request failed");
    throw new Error(data.error);
  }
  return data.result;
}

function el(tag, props = {}, children = []) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

let toastTimer = null;
function grow(area) {
  area.style.height = "auto";
  area.style.height = `${area.scrollHeight}px`;
}

function toast(text, alert = false) {
  const box = document.getElementById("toast");
  box.textContent = text;
  box.className = alert ? "alert" : "";
  box.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { box.hidden = true; }, alert ? 6000 : 3000);
}

// ---- entities → DOM (offsets are UTF-16 units, which is what JS strings index) ----

const ENTITY_TAGS = {
  bold: "b", italic: "i", underline: "u", strikethrough: "s", spoiler: "span",
  code: "code", pre: "pre", blockquote: "blockquote", expandable_blockquote: "blockquote",
  text_link: "a", url: "a", bot_command: "span", custom_emoji: "span",
};

function safeUrl(url) {
  try {
    const parsed = new URL(url, location.href);
    return ["http:", "https:", "tg:", "mailto:"].includes(parsed.protocol) ? parsed.href : null;
  } catch {
    return null;
  }
}

function renderEntities(text, entities, start = 0, end = text.length) {
  const nodes = [];
  const sorted = [...(entities || [])].sort((a, b) => a.offset - b.offset || b.length - a.length);
  let pos = start;
  let i = 0;
  while (i < sorted.length) {
    const entity = sorted[i];
    const entityEnd = entity.offset + entity.length;
    if (entity.offset < pos || entityEnd > end) { i++; continue; }
    if (entity.offset > pos) nodes.push(document.createTextNode(text.slice(pos, entity.offset)));
    const inner = sorted.filter((e, j) => j > i && e.offset >= entity.offset
      && e.offset + e.length <= entityEnd);
    const node = el(ENTITY_TAGS[entity.type] || "span", { class: "e-" + entity.type });
    if (entity.type === "text_link" || entity.type === "url") {
      const href = safeUrl(entity.url || text.slice(entity.offset, entityEnd));
      if (href) { node.href = href; node.target = "_blank"; node.rel = "noopener noreferrer"; }
    }
    if (entity.type === "spoiler") node.addEventListener("click", () => node.classList.add("shown"));
    node.append(...renderEntities(text, inner, entity.offset, entityEnd));
    nodes.push(node);
    pos = entityEnd;
    i++;
    while (i < sorted.length && sorted[i].offset < pos) i++;
  }
  if (pos < end) nodes.push(document.createTextNode(text.slice(pos, end)));
  return nodes;
}

// ---- panes ----

class Pane {
  constructor(root) {
    this.root = root;
    this.kind = root.dataset.kind;
    this.who = root.querySelector(".who");
    this.groupSelect = root.querySelector(".group");
    this.list = root.querySelector(".messages");
    this.form = root.querySelector(".new-user-form");
    this.replyTo = null;
    this.lastRendered = "";
    const composer = root.querySelector(".composer");
    composer.append(document.getElementById("composer-template").content.cloneNode(true));
    this.composer = composer;
    this.bind();
  }

  get userId() { return Number(this.who.value) || null; }

  get chatId() {
    if (this.kind === "private") return this.userId;
    return Number(this.groupSelect.value) || null;
  }

  bind() {
    const c = this.composer;
    c.querySelector("form.send").addEventListener("submit", (event) => {
      event.preventDefault();
      const input = c.querySelector(".text");
      if (!input.value.trim()) return;
      this.act("/send/text", { text: input.value }).then(() => { input.value = ""; grow(input); });
    });
    // As in Telegram: Enter sends, Shift+Enter starts a new line (a two-language /announce).
    const text = c.querySelector(".text");
    text.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        c.querySelector("form.send").requestSubmit();
      }
    });
    text.addEventListener("input", () => grow(text));
    c.querySelector(".contact").addEventListener("click", () => this.act("/send/contact", {}));
    c.querySelector(".sticker").addEventListener("click", () => this.act("/send/sticker", { emoji: "👍" }));
    c.querySelector(".voice").addEventListener("click", () => this.act("/send/voice", { duration: 3 }));
    c.querySelector(".location").addEventListener("click",
      () => this.act("/send/location", SAMPLE_LOCATION));
    c.querySelector(".photo").addEventListener("change", (e) => this.upload(e.target, "photo"));
    c.querySelector(".document").addEventListener("change", (e) => this.upload(e.target, "document"));
    c.querySelector(".cancel-reply").addEventListener("click", () => this.setReply(null));
    this.who.addEventListener("change", () => this.refresh(true));
    if (this.groupSelect) {
      this.groupSelect.addEventListener("change", () => { fillSelectors(); this.refresh(true); });
    }
    this.root.querySelector(".new-user").addEventListener("click", () => {
      this.form.hidden = !this.form.hidden;
    });
    this.form.addEventListener("submit", (event) => this.createUser(event));
    const block = this.root.querySelector(".block");
    if (block) {
      block.addEventListener("click", () => {
        const user = state.users.find((u) => u.id === this.userId);
        if (user) api("POST", `/users/${user.id}/${user.blocked ? "unblock" : "block"}`);
      });
    }
    const newGroup = this.root.querySelector(".new-group");
    if (newGroup) {
      newGroup.addEventListener("click", async () => {
        const title = prompt("Group title", "Staff");
        if (!title) return;
        const staff = state.users.filter((u) => u.role === "staff").map((u) => u.id);
        const chat = await api("POST", "/groups", { title, member_ids: staff });
        await loadState();
        this.groupSelect.value = chat.id;
        fillSelectors();
        this.refresh(true);
      });
    }
  }

  async createUser(event) {
    event.preventDefault();
    const data = Object.fromEntries(new FormData(this.form));
    data.role = this.kind === "private" ? "owner" : "staff";
    const user = await api("POST", "/users", data);
    if (this.kind !== "private" && this.chatId) {
      await api("POST", `/groups/${this.chatId}/members`, { user_id: user.id });
    }
    this.form.reset();
    this.form.hidden = true;
    await loadState();
    this.who.value = user.id;
    this.refresh(true);
  }

  async act(path, body) {
    if (!this.userId || !this.chatId) { toast("Pick a user (and a group) first"); return null; }
    const payload = { user_id: this.userId, chat_id: this.chatId, ...body };
    if (this.replyTo && !("callback_data" in body)) payload.reply_to_message_id = this.replyTo;
    const result = await api("POST", path, payload);
    this.setReply(null);
    return result;
  }

  async upload(input, field) {
    const file = input.files[0];
    input.value = "";
    if (!file || !this.userId || !this.chatId) return;
    const form = new FormData();
    form.append("user_id", this.userId);
    form.append("chat_id", this.chatId);
    if (this.replyTo) form.append("reply_to_message_id", this.replyTo);
    const caption = this.composer.querySelector(".text");
    if (caption.value.trim()) form.append("caption", caption.value);
    form.append(field, file, file.name);
    if (field === "document") form.append("filename", file.name);
    await api("POST", `/send/${field}`, form);
    caption.value = "";
    this.setReply(null);
  }

  setReply(message) {
    this.replyTo = message ? message.message_id : null;
    const bar = this.composer.querySelector(".replying");
    bar.hidden = !message;
    if (message) bar.querySelector("span").textContent = "Replying to: " + summary(message);
  }

  async press(message, button) {
    const result = await this.act("/press/inline", {
      message_id: message.message_id, callback_data: button.callback_data,
    });
    if (!result) return;
    if (!result.answered) toast("The bot did not answer the button press");
    else if (result.text) toast(result.text, result.show_alert);
  }

  async refresh(force = false) {
    const chatId = this.chatId;
    if (!chatId) { this.list.replaceChildren(); this.renderKeyboard(null); return; }
    const [{ messages }, keyboard] = await Promise.all([
      api("GET", `/chats/${chatId}/messages`),
      this.userId ? api("GET", `/chats/${chatId}/keyboard?user_id=${this.userId}`) : null,
    ]);
    const signature = JSON.stringify([chatId, messages, keyboard, this.userId]);
    if (!force && signature === this.lastRendered) return;
    this.lastRendered = signature;
    const atBottom = this.list.scrollHeight - this.list.scrollTop - this.list.clientHeight < 40;
    const byId = new Map(messages.map((m) => [m.message_id, m]));
    // The keyboard first: it changes the list's height, and the list then stays at the bottom.
    this.renderKeyboard(keyboard);
    this.list.replaceChildren(...messages.map((m) => this.renderMessage(m, byId)));
    if (atBottom || force) this.list.scrollTop = this.list.scrollHeight;
    const user = state.users.find((u) => u.id === this.userId);
    const block = this.root.querySelector(".block");
    if (block) block.textContent = user && user.blocked ? "Unblock bot" : "Block bot";
  }

  renderMessage(message, byId) {
    const mine = !message.from_bot && message.sender_id === this.userId;
    const item = el("li", {
      class: ["msg", message.from_bot ? "bot" : "user", mine ? "mine" : "",
        message.deleted ? "deleted" : ""].join(" "),
    });
    item.addEventListener("click", (event) => {
      if (event.target.closest("button, a")) return;
      this.setReply(message);
      this.composer.querySelector(".text").focus();
    });
    const sender = message.from_bot ? state.bot?.first_name || "Bot" : userName(message.sender_id);
    item.append(el("div", { class: "sender", text: `${sender} · #${message.message_id}` }));
    if (message.reply_to_message_id) {
      const replied = byId.get(message.reply_to_message_id);
      item.append(el("div", { class: "quote", text: replied ? summary(replied) : "(message)" }));
    }
    for (const size of message.photo.slice(-1)) {
      item.append(el("img", { src: size.url, alt: "photo", width: size.width, height: size.height }));
    }
    if (message.document) {
      item.append(el("a", {
        class: "doc", href: message.document.url, target: "_blank",
        text: `📄 ${message.document.file_name || "document"} (${message.document.file_size} B)`,
      }));
    }
    if (message.sticker) {
      item.append(el("div", { class: "sticker-art", text: message.sticker.emoji || "🖼", title: "sticker" }));
    }
    if (message.voice) {
      item.append(el("a", {
        class: "doc", href: message.voice.url, target: "_blank",
        text: `🎤 Voice note · ${duration(message.voice.duration)}`,
      }));
    }
    if (message.location) {
      const { latitude, longitude } = message.location;
      item.append(el("a", {
        class: "doc", target: "_blank", rel: "noopener noreferrer",
        href: `https://www.openstreetmap.org/?mlat=${latitude}&mlon=${longitude}#map=16/${latitude}/${longitude}`,
        text: `📍 Location ${latitude.toFixed(4)}, ${longitude.toFixed(4)}`,
      }));
    }
    if (message.contact) {
      const c = message.contact;
      const who = [c.first_name, c.last_name].filter(Boolean).join(" ");
      const owner = c.user_id ? ` (user ${c.user_id})` : " (no Telegram user)";
      item.append(el("div", { class: "contact-card", text: `☎ ${who}: ${c.phone_number}${owner}` }));
    }
    if (message.text !== null) {
      item.append(el("div", { class: "body" }, renderEntities(message.text, message.entities)));
    }
    if (message.caption) {
      item.append(el("div", { class: "body" },
        renderEntities(message.caption, message.caption_entities)));
    }
    for (const row of message.buttons) {
      const rowNode = el("div", { class: "buttons" });
      for (const button of row) {
        if (button.url) {
          const href = safeUrl(button.url);
          rowNode.append(el("a", { class: "button", href: href || "#", target: "_blank",
            rel: "noopener noreferrer", text: button.text + " ↗" }));
        } else {
          rowNode.append(el("button", {
            type: "button", text: button.text, title: button.callback_data || "",
            onclick: () => this.press(message, button),
          }));
        }
      }
      item.append(rowNode);
    }
    const flags = [];
    if (message.edited) flags.push("edited");
    if (message.deleted) flags.push("deleted");
    flags.push(new Date(message.date * 1000).toLocaleTimeString());
    item.append(el("div", { class: "meta", text: flags.join(" · ") }));
    return item;
  }

  renderKeyboard(keyboard) {
    const box = this.composer.querySelector(".reply-keyboard");
    box.replaceChildren();
    if (!keyboard) return;
    for (const row of keyboard.keyboard) {
      const rowNode = el("div", { class: "buttons" });
      for (const button of row) {
        const text = typeof button === "string" ? button : button.text;
        const label = button.request_contact ? `☎ ${text}` : text;
        rowNode.append(el("button", {
          type: "button", text: label,
          onclick: () => this.act("/press/reply", { text }),
        }));
      }
      box.append(rowNode);
    }
  }
}

function userName(id) {
  const user = state.users.find((u) => u.id === id);
  return user ? [user.first_name, user.last_name].filter(Boolean).join(" ") : `user ${id}`;
}

// A point in Shanghai, where the sample estate is.
const SAMPLE_LOCATION = { latitude: 31.2304, longitude: 121.4737 };

function duration(seconds) {
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
}

function summary(message) {
  const body = message.text || message.caption
    || (message.photo.length ? "📷 photo" : message.document ? "📄 document"
      : message.contact ? "☎ contact" : message.sticker ? `${message.sticker.emoji} sticker`
        : message.voice ? "🎤 voice note" : message.location ? "📍 location" : "");
  return body.length > 60 ? body.slice(0, 57) + "…" : body;
}

// options: [value, label] pairs, or {label, options} groups of them.
function fillSelect(select, options, emptyLabel) {
  const previous = select.value;
  const option = ([value, label]) => el("option", { value, text: label });
  const groups = options.filter((o) => !Array.isArray(o) && o.options.length);
  const flat = options.filter(Array.isArray);
  select.replaceChildren(...flat.map(option),
    ...groups.map((g) => el("optgroup", { label: g.label }, g.options.map(option))));
  const values = [...flat, ...groups.flatMap((g) => g.options)].map(([value]) => String(value));
  if (!values.length) select.append(el("option", { value: "", text: emptyLabel }));
  if (values.includes(previous)) select.value = previous;
}

const panes = {};

function fillSelectors() {
  // Staff have private chats too: their work orders and Done buttons arrive there.
  const person = (u) => [u.id, userName(u.id) + (u.blocked ? " (blocked)" : "")];
  fillSelect(panes.owner.who, [
    { label: "Owners", options: state.users.filter((u) => u.role !== "staff").map(person) },
    { label: "Staff", options: state.users.filter((u) => u.role === "staff").map(person) },
  ], "no users yet");
  const groups = state.chats.filter((c) => c.type !== "private");
  fillSelect(panes.group.groupSelect, groups.map((c) => [c.id, c.title]), "no groups yet");
  const group = groups.find((c) => String(c.id) === panes.group.groupSelect.value);
  const members = group ? group.member_ids : [];
  fillSelect(panes.group.who, members.map((id) => [id, userName(id)]), "no members");
}

async function loadState() {
  const result = await api("GET", "/state");
  Object.assign(state, result);
  const hook = result.webhook.url ? `webhook ${result.webhook.url}` : "polling";
  const pending = result.webhook.pending_update_count;
  document.getElementById("bot-status").textContent =
    `@${result.bot.username} · ${hook} · ${pending} pending update(s)`;
  fillSelectors();
}

let refreshing = null;
async function refreshAll() {
  // Coalesce bursts of change events into one reload.
  if (refreshing) return;
  refreshing = setTimeout(async () => {
    refreshing = null;
    await loadState();
    await Promise.all([panes.owner.refresh(), panes.group.refresh()]);
  }, 50);
}

const FAULT_PRESETS = {
  none: null,
  slow: { private_chat_per_second: 1, group_chat_per_minute: 20 },
  errors: { error_rate: 0.3, error_codes: [500, 502] },
  delay: { delay: 5 },
};

function bindHeader() {
  document.getElementById("reset").addEventListener("click", async () => {
    if (confirm("Forget all users, chats, messages and updates?")) await api("POST", "/reset");
  });
  document.getElementById("fault-preset").addEventListener("change", async (event) => {
    await api("POST", "/faults/reset");
    const preset = FAULT_PRESETS[event.target.value];
    if (preset) await api("POST", "/faults", preset);
  });
}

function connectEvents() {
  const source = new EventSource(API + "/events");
  source.addEventListener("change", refreshAll);
  source.onerror = () => {
    // The browser reconnects on its own; poll meanwhile so the page never goes stale.
    setTimeout(refreshAll, 1000);
  };
}

panes.owner = new Pane(document.getElementById("owner-pane"));
panes.group = new Pane(document.getElementById("group-pane"));
bindHeader();
loadState().then(refreshAll);
connectEvents();
