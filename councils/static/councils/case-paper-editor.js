// The case paper's editor: TipTap (ProseMirror) from django-prose-editor's
// built bundle, over the textarea that keeps the HTML and is what the form
// sends. The toolbar is ours, rendered by the server in the reader's language
// (councils/templates/councils/widgets/case_paper_editor.html).
//
// Under our CSP (script-src 'self', style-src 'self'):
// - the bundle is imported by its path, not through django-prose-editor's
//   import map (an inline <script type="importmap"> that script-src refuses);
// - TipTap's own <style> element is not injected (injectCSS: false); its
//   rules are in case-paper-editor.css.
// What the editor makes is sanitised again on the server (core/richtext.py).
import {
  Bold,
  BulletList,
  Document,
  Dropcursor,
  Editor,
  Gapcursor,
  HardBreak,
  Heading,
  Italic,
  Link,
  ListItem,
  OrderedList,
  Paragraph,
  Table,
  TableCell,
  TableHeader,
  TableRow,
  Text,
  UndoRedo,
  wrappingInputRule,
} from "../django_prose_editor/editor.js";

// The same rule as core.richtext.safe_href: http(s) with a host, mailto:, or
// a path on this site.
const SAFE_LINK = /^(https?:\/\/[^\s/\\]|mailto:\S|\/(?![/\\]))/i;

const COMMANDS = {
  paragraph: (c) => c.setParagraph(),
  heading: (c, level) => c.toggleHeading({ level }),
  bold: (c) => c.toggleBold(),
  italic: (c) => c.toggleItalic(),
  bulletList: (c) => c.toggleBulletList(),
  orderedList: (c) => c.toggleOrderedList(),
  unlink: (c) => c.extendMarkRange("link").unsetLink(),
  table: (c) => c.insertTable({ rows: 3, cols: 3, withHeaderRow: true }),
  addRow: (c) => c.addRowAfter(),
  addColumn: (c) => c.addColumnAfter(),
  deleteRow: (c) => c.deleteRow(),
  deleteColumn: (c) => c.deleteColumn(),
  deleteTable: (c) => c.deleteTable(),
  undo: (c) => c.undo(),
  redo: (c) => c.redo(),
};

const ACTIVE = {
  paragraph: (e) => e.isActive("paragraph") && !e.isActive("listItem"),
  heading: (e, level) => e.isActive("heading", { level }),
  bold: (e) => e.isActive("bold"),
  italic: (e) => e.isActive("italic"),
  bulletList: (e) => e.isActive("bulletList"),
  orderedList: (e) => e.isActive("orderedList"),
};

// "1. " at the start of a paragraph starts a numbered list (django-prose-
// editor's OrderedList leaves TipTap's rule out).
const NumberedList = OrderedList.extend({
  addInputRules() {
    return [
      wrappingInputRule({
        find: /^(\d+)\.\s$/,
        type: this.type,
        joinPredicate: (match, node) => node.childCount + node.attrs.start === +match[1],
      }),
    ];
  },
});

// Pasted HTML (from Word, Google Docs, web pages) is tidied before the
// editor reads it:
// - style elements are dropped and style attributes renamed before anything
//   parses the HTML: parsed, they would be inline styles our style-src
//   refuses (a console error each); what they meant is kept where it
//   matters: bold and italic written as styles (Google Docs) become <strong>
//   and <em>;
// - Word writes lists as paragraphs with a marker ("·", "1.") in a span
//   marked mso-list:Ignore: runs of them become real lists;
// - when the document uses <h1>, headings move down one level (Word's
//   "Overskrift 1" is our first level, h2).
// Everything else that is not ours (classes, Word's <o:p>) is dropped by the
// editor's schema, and the server sanitises what is saved.
const STYLE = "data-pasted-style";

function styleOf(element) {
  return (element.getAttribute(STYLE) || "").toLowerCase();
}

function wrapChildren(element, tag) {
  const wrapper = element.ownerDocument.createElement(tag);
  wrapper.append(...element.childNodes);
  element.append(wrapper);
}

function cleanPastedHTML(html) {
  const renamed = html
    .replace(/<style[\s\S]*?<\/style>/gi, "") // Word's style sheet
    .replace(/<[a-z][^>]*>/gi, (tag) => tag.replace(/(\s)style(\s*=)/gi, `$1${STYLE}$2`));
  const doc = new DOMParser().parseFromString(renamed, "text/html");
  for (const element of Array.from(doc.body.querySelectorAll(`[${STYLE}]`))) {
    const style = styleOf(element);
    if (element.tagName === "B" && /font-weight:\s*(normal|400)/.test(style)) {
      element.replaceWith(...element.childNodes); // Google Docs' outer <b>
      continue;
    }
    if (/font-weight:\s*(bold|[6-9]00)/.test(style)) wrapChildren(element, "strong");
    if (/font-style:\s*italic/.test(style)) wrapChildren(element, "em");
  }
  let list = null;
  for (const p of Array.from(doc.body.querySelectorAll("p"))) {
    if (!/mso-list:\s*l\d/.test(styleOf(p)) && !/^MsoListParagraph/i.test(p.className)) {
      list = null;
      continue;
    }
    const marker = Array.from(p.querySelectorAll(`span[${STYLE}]`)).find((span) =>
      /mso-list:\s*ignore/.test(styleOf(span)),
    );
    const markerText = marker ? marker.textContent.replace(/\s+/g, "") : "";
    if (marker) marker.remove();
    const tag = /^[0-9a-z]{1,4}[.)]$/i.test(markerText) ? "OL" : "UL";
    if (!list || list.tagName !== tag || p.previousElementSibling !== list) {
      list = doc.createElement(tag);
      p.before(list);
    }
    const item = doc.createElement("li");
    item.append(...p.childNodes);
    list.append(item);
    p.remove();
  }
  if (doc.body.querySelector("h1")) {
    for (const heading of Array.from(doc.body.querySelectorAll("h1, h2, h3, h4, h5, h6"))) {
      const moved = doc.createElement(`h${Math.min(Number(heading.tagName[1]) + 1, 4)}`);
      moved.append(...heading.childNodes);
      heading.replaceWith(moved);
    }
  }
  return doc.body.innerHTML;
}

function setUp(root) {
  const textarea = root.querySelector("textarea");
  const toolbar = root.querySelector("[role=toolbar]");
  const dialog = root.querySelector("dialog");
  const keysHint = root.querySelector("[data-keys-hint]");
  const fieldId = textarea.id;
  const label = document.querySelector(`label[for="${fieldId}"]`);
  if (label && !label.id) label.id = `${fieldId}-label`;
  // The editing area takes over the field's id, so the label and the error
  // summary's links lead to it; the hidden textarea keeps the HTML.
  textarea.id = `${fieldId}-html`;
  const describedBy = [textarea.getAttribute("aria-describedby"), keysHint.id]
    .filter(Boolean)
    .join(" ");
  const attributes = {
    id: fieldId,
    role: "textbox",
    "aria-multiline": "true",
    "aria-describedby": describedBy,
    class: "paper-editor__content",
    spellcheck: "true",
  };
  if (label) attributes["aria-labelledby"] = label.id;
  if (textarea.getAttribute("aria-invalid")) attributes["aria-invalid"] = "true";

  const mount = document.createElement("div");
  textarea.before(mount);
  const editor = new Editor({
    element: mount,
    injectCSS: false,
    content: textarea.value,
    extensions: [
      Document,
      Paragraph,
      Text,
      HardBreak,
      Heading.configure({ levels: [2, 3, 4] }),
      Bold,
      Italic,
      BulletList,
      NumberedList.configure({ enableListAttributes: false }),
      ListItem,
      Link.configure({
        openOnClick: false,
        autolink: true,
        defaultProtocol: "https",
        HTMLAttributes: { target: null, rel: null, class: null },
        isAllowedUri: (url) => SAFE_LINK.test(url),
      }),
      Table.configure({ resizable: false }),
      TableRow,
      TableHeader,
      TableCell,
      UndoRedo,
      Dropcursor,
      Gapcursor,
    ],
    editorProps: { attributes, transformPastedHTML: cleanPastedHTML },
    onUpdate: ({ editor }) => {
      textarea.value = editor.isEmpty ? "" : editor.getHTML();
    },
  });
  root.classList.add("paper-editor--ready");
  toolbar.hidden = false;

  if (label) label.addEventListener("click", () => editor.view.focus());
  for (const link of document.querySelectorAll(`a[href="#${fieldId}"]`)) {
    link.addEventListener("click", (event) => {
      event.preventDefault();
      editor.view.focus();
      editor.view.dom.scrollIntoView({ block: "center" });
    });
  }

  // The toolbar: one tab stop, arrow keys between its buttons (WAI-ARIA
  // toolbar pattern); Alt+F10 from the text goes there, Escape goes back.
  const buttons = Array.from(toolbar.querySelectorAll("button"));
  const shown = () => buttons.filter((b) => !b.hidden);
  let current = buttons[0];
  const makeCurrent = (button) => {
    current = button;
    for (const b of buttons) b.tabIndex = b === button ? 0 : -1;
  };
  makeCurrent(current);

  toolbar.addEventListener("keydown", (event) => {
    const list = shown();
    const index = list.indexOf(document.activeElement);
    let next = null;
    if (event.key === "ArrowRight") next = list[(index + 1) % list.length];
    else if (event.key === "ArrowLeft") next = list[(index - 1 + list.length) % list.length];
    else if (event.key === "Home") next = list[0];
    else if (event.key === "End") next = list[list.length - 1];
    else if (event.key === "Escape") {
      event.preventDefault();
      editor.view.focus();
      return;
    }
    if (next) {
      event.preventDefault();
      makeCurrent(next);
      next.focus();
    }
  });
  // ProseMirror reads the browser's selection when the browser says it
  // changed, a moment later: read it now, before a key acts on it (End and at
  // once Enter must not split the line at the old selection) and before the
  // focus leaves (Shift+Home and at once Alt+F10 must find the words selected).
  const readSelection = () => editor.view.domObserver?.flush?.();
  editor.view.dom.addEventListener("keydown", readSelection, true);
  editor.view.dom.addEventListener("focusout", readSelection);
  editor.view.dom.addEventListener("keydown", (event) => {
    if (event.altKey && event.key === "F10") {
      event.preventDefault();
      (current.hidden ? shown()[0] : current).focus();
    }
  });
  // A click on the toolbar leaves the focus (and the selection) in the text.
  toolbar.addEventListener("mousedown", (event) => {
    if (event.target.closest("button")) event.preventDefault();
  });

  toolbar.addEventListener("click", (event) => {
    const button = event.target.closest("button");
    if (!button || button.getAttribute("aria-disabled") === "true") return;
    makeCurrent(button);
    const name = button.dataset.command;
    if (name === "link") {
      openLinkDialog();
      return;
    }
    // ProseMirror's own focus, at once: TipTap's focus() waits for the next
    // frame and would then put back this selection over keys pressed since.
    editor.view.focus();
    COMMANDS[name](editor.chain(), Number(button.dataset.level)).scrollIntoView().run();
  });

  const refresh = () => {
    const inTable = editor.isActive("table");
    for (const button of buttons) {
      const name = button.dataset.command;
      const level = Number(button.dataset.level);
      if (button.hasAttribute("data-in-table")) button.hidden = !inTable;
      if (name === "unlink") button.hidden = !editor.isActive("link");
      const active = ACTIVE[name] ? ACTIVE[name](editor, level) : false;
      if (ACTIVE[name]) button.setAttribute("aria-pressed", String(active));
      if (COMMANDS[name] && name !== "unlink") {
        // aria-disabled, not disabled: the button stays in the toolbar's
        // keyboard order and is read out as unavailable. A pressed button is
        // not unavailable (Normal text in a paragraph).
        const can = active || COMMANDS[name](editor.can().chain(), level).run();
        button.setAttribute("aria-disabled", String(!can));
      }
    }
    if (current.hidden) makeCurrent(shown()[0]);
  };
  editor.on("transaction", refresh);
  refresh();

  // The link dialog: an address of the same kinds the server keeps.
  const input = dialog.querySelector("input");
  const error = dialog.querySelector("[data-link-error]");
  const showError = (show) => {
    error.hidden = !show;
    if (show) input.setAttribute("aria-invalid", "true");
    else input.removeAttribute("aria-invalid");
  };
  function openLinkDialog() {
    input.value = editor.getAttributes("link").href || "";
    showError(false);
    dialog.showModal();
    input.focus();
  }
  const saveLink = () => {
    const href = input.value.trim();
    if (!SAFE_LINK.test(href)) {
      showError(true);
      input.focus();
      return;
    }
    showError(false);
    dialog.close();
    editor.view.focus();
    const chain = editor.chain();
    if (editor.state.selection.empty && !editor.isActive("link")) {
      chain.insertContent({ type: "text", text: href, marks: [{ type: "link", attrs: { href } }] });
    } else {
      chain.extendMarkRange("link").setLink({ href });
    }
    chain.scrollIntoView().run();
  };
  dialog.querySelector("[data-link=save]").addEventListener("click", saveLink);
  dialog.querySelector("[data-link=cancel]").addEventListener("click", () => dialog.close());
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault(); // not the case form's submit
      saveLink();
    }
  });
  // Cancelled (Escape, Cancel): back to the text. Saved: already there, and
  // focusing again would put back the selection of a moment ago.
  dialog.addEventListener("close", () => {
    if (!editor.view.hasFocus()) editor.view.focus();
  });
}

for (const root of document.querySelectorAll("[data-paper-editor]")) setUp(root);
