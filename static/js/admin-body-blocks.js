// Story-body blocks in the article editor (django-prose-editor, loaded by its
// "configurable" preset; see articles/editor.py for the options and labels).
//
// - NewsPicture: a picture or a gallery from the media library, shown with
//   its thumbnails and captions, chosen in the library's own list (Django
//   admin's lookup popup) or by number.
// - NewsEmbed: a post from another site, shown as the card readers will get;
//   nothing is loaded from the provider here either.
// - ToolbarLabels: the editor's button titles and menu entries, translated.
//
// The editor only proposes: articles/sanitize.py rebuilds both blocks on save
// from their data-* attributes and drops anything it does not recognise.
import { Extension, Node, updateAttrsDialog } from "django-prose-editor/editor";

const MAX_GALLERY = 20;

function format(label, values) {
  return label.replace(/%\((\w+)\)s/g, (_, name) => String(values[name]));
}

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) {
    node.className = className;
  }
  if (text !== undefined) {
    node.textContent = text;
  }
  return node;
}

// "12، 13 ,١٤" -> [12, 13, 14]: Arabic or Latin commas and digits, no
// repeats, at most a gallery's worth (the server applies the same rules).
function parseIds(value) {
  const digits = String(value || "").replace(/[٠-٩]/g, (d) => "٠١٢٣٤٥٦٧٨٩".indexOf(d));
  const ids = digits
    .split(/[\s,،]+/)
    .filter((part) => /^\d{1,9}$/.test(part))
    .map(Number)
    .filter((id) => id > 0);
  return [...new Set(ids)].slice(0, MAX_GALLERY);
}

// Pictures already looked up, by id, shared by every block on the page.
const known = new Map();

async function lookUp(url, ids) {
  const missing = ids.filter((id) => !known.has(id));
  if (missing.length) {
    const query = new URL(url, window.location.href);
    query.searchParams.set("ids", missing.join(","));
    const response = await fetch(query, { credentials: "same-origin" });
    if (response.ok) {
      const data = await response.json();
      for (const picture of data.pictures) {
        known.set(picture.id, picture);
      }
    }
  }
  return ids.map((id) => known.get(id) || { id, missing: true });
}

// Django admin's own lookup popup on the media library: each picture
// clicked there is appended to `input` (RelatedObjectLookups.js).
function openLibrary(input, libraryUrl) {
  if (typeof window.showRelatedObjectLookupPopup !== "function") {
    window.open(libraryUrl, "_blank", "noopener");
    return;
  }
  input.classList.add("vManyToManyRawIdAdminField");
  window.showRelatedObjectLookupPopup({
    id: `lookup_${input.id}`,
    href: new URL(libraryUrl, window.location.href).href,
  });
}

function pictureDialog(editor, options, current) {
  const { labels } = options;
  return updateAttrsDialog(
    {
      ids: {
        type: "string",
        title: labels.ids,
        description: labels.idsHelp,
        required: true,
        picker: {
          label: labels.browse,
          handler: ({ input }) => openLibrary(input, options.libraryUrl),
        },
      },
    },
    { title: labels.dialog, submitText: labels.submit },
  )(editor, { ids: current }).then((values) => (values ? parseIds(values.ids) : []));
}

function urlDialog(editor, options, current) {
  const { labels } = options;
  return updateAttrsDialog(
    {
      url: {
        type: "string",
        format: "url",
        title: labels.url,
        description: labels.urlHelp,
        required: true,
      },
    },
    { title: labels.dialog, submitText: labels.submit },
  )(editor, { url: current }).then((values) => (values ? values.url.trim() : ""));
}

// A block's frame in the editor: a label, its content, a button to change it.
function blockView(kind, label, changeLabel, onChange) {
  const dom = element("figure", `nr-block nr-block--${kind}`);
  dom.contentEditable = "false";
  const title = element("figcaption", "nr-block__label", label);
  const body = element("div", "nr-block__body");
  const change = element("button", "nr-block__change", changeLabel);
  change.type = "button";
  change.addEventListener("click", onChange);
  dom.append(title, body, change);
  return { dom, title, body };
}

// After what is selected, so a selected block or words are never replaced.
function insertAfterSelection(commands, state, content) {
  return commands.insertContentAt(state.selection.to, content);
}

function replaceAttrs(editor, getPos, attrs) {
  const pos = getPos();
  if (typeof pos === "number") {
    editor
      .chain()
      .focus()
      .command(({ tr }) => {
        tr.setNodeMarkup(pos, undefined, attrs);
        return true;
      })
      .run();
  }
}

export const NewsPicture = Node.create({
  name: "newsPicture",
  group: "block",
  atom: true,
  draggable: true,
  selectable: true,

  addOptions() {
    return { lookupUrl: "", libraryUrl: "", labels: {} };
  },

  addAttributes() {
    return {
      ids: {
        default: "",
        parseHTML: (node) => parseIds(node.getAttribute("data-picture")).join(","),
        renderHTML: () => ({}),
      },
    };
  },

  parseHTML() {
    return [{ tag: "figure.picture[data-picture]" }];
  },

  renderHTML({ node }) {
    const ids = parseIds(node.attrs.ids);
    const word = ids.length > 1 ? "معرض" : "صورة";
    return [
      "figure",
      { class: "picture", "data-picture": ids.join(",") },
      `[${word}:${ids.join("،")}]`,
    ];
  },

  addNodeView() {
    const options = this.options;
    const { labels } = options;
    return ({ node, editor, getPos }) => {
      const ids = parseIds(node.attrs.ids);
      const label =
        ids.length > 1 ? format(labels.gallery, { count: ids.length }) : labels.picture;
      const view = blockView("picture", label, labels.change, () => {
        pictureDialog(editor, options, ids.join(", ")).then((chosen) => {
          if (chosen.length) {
            replaceAttrs(editor, getPos, { ids: chosen.join(",") });
          }
        });
      });
      lookUp(options.lookupUrl, ids).then((pictures) => {
        for (const picture of pictures) {
          const item = element("div", "nr-block__picture");
          if (picture.missing) {
            item.classList.add("nr-block__picture--missing");
            item.append(element("p", "", format(labels.missing, { id: picture.id })));
          } else {
            const img = element("img");
            img.src = picture.src;
            img.srcset = picture.srcset;
            img.sizes = "10rem";
            img.alt = picture.alt;
            img.loading = "lazy";
            const caption = [picture.caption || labels.noCaption, picture.credit]
              .filter(Boolean)
              .join(" — ");
            item.append(img, element("p", "", `${picture.id} · ${caption}`));
          }
          view.body.append(item);
        }
      });
      return { dom: view.dom, ignoreMutation: () => true, stopEvent: () => false };
    };
  },

  addCommands() {
    return {
      insertNewsPicture:
        (ids) =>
        ({ commands, state }) =>
          insertAfterSelection(commands, state, { type: this.name, attrs: { ids: ids.join(",") } }),
    };
  },

  addMenuItems({ menu, buttons }) {
    const options = this.options;
    menu.defineItem({
      name: "newsPicture",
      groups: "nodes",
      button: buttons.material("photo_library", options.labels.insert),
      command(editor) {
        pictureDialog(editor, options, "").then((ids) => {
          if (ids.length) {
            editor.chain().focus().insertNewsPicture(ids).run();
          }
        });
      },
      enabled: (editor) => editor.can().insertNewsPicture([1]),
    });
  },
});

export const NewsEmbed = Node.create({
  name: "newsEmbed",
  group: "block",
  atom: true,
  draggable: true,
  selectable: true,

  addOptions() {
    return { providers: {}, labels: {} };
  },

  addAttributes() {
    return {
      url: {
        default: "",
        parseHTML: (node) =>
          node.getAttribute("data-url") || node.querySelector("a")?.href || "",
        renderHTML: () => ({}),
      },
      // Set by the server when it recognised the post; empty until saved.
      provider: {
        default: "",
        parseHTML: (node) => node.getAttribute("data-provider") || "",
        renderHTML: () => ({}),
      },
    };
  },

  parseHTML() {
    return [{ tag: "figure.embed" }];
  },

  renderHTML({ node }) {
    const { url } = node.attrs;
    return ["figure", { class: "embed", "data-url": url }, ["a", { href: url }, url]];
  },

  addNodeView() {
    const options = this.options;
    const { labels } = options;
    return ({ node, editor, getPos }) => {
      const provider = options.providers[node.attrs.provider];
      const label = provider ? format(labels.post, { provider }) : labels.unchecked;
      const view = blockView("embed", label, labels.change, () => {
        urlDialog(editor, options, node.attrs.url).then((url) => {
          if (url) {
            replaceAttrs(editor, getPos, { url, provider: "" });
          }
        });
      });
      const address = element("p", "nr-block__url", node.attrs.url);
      address.dir = "ltr";
      view.body.append(address, element("p", "nr-block__note", labels.clickToLoad));
      return { dom: view.dom, ignoreMutation: () => true, stopEvent: () => false };
    };
  },

  addCommands() {
    return {
      insertNewsEmbed:
        (url) =>
        ({ commands, state }) =>
          insertAfterSelection(commands, state, { type: this.name, attrs: { url } }),
    };
  },

  addMenuItems({ menu, buttons }) {
    const options = this.options;
    menu.defineItem({
      name: "newsEmbed",
      groups: "nodes",
      button: buttons.material("smart_display", options.labels.insert),
      command(editor) {
        urlDialog(editor, options, "").then((url) => {
          if (url) {
            editor.chain().focus().insertNewsEmbed(url).run();
          }
        });
      },
      enabled: (editor) => editor.can().insertNewsEmbed("https://example.com/"),
    });
  },
});

// django-prose-editor 0.28 builds its toolbar with English titles and menu
// entries that do not go through gettext; translate them, and whatever the
// menu adds later. Style entries read "<node type>: <style>".
export const ToolbarLabels = Extension.create({
  name: "toolbarLabels",

  addOptions() {
    return { labels: {} };
  },

  onCreate() {
    const { labels } = this.options;
    const root = this.editor.view.dom.closest(".prose-editor") || document.body;
    const translated = (text) => {
      const typed = /^(\w+): (.+)$/.exec(text);
      if (typed && labels[typed[1]]) {
        return `${labels[typed[1]]}: ${labels[typed[2]] || typed[2]}`;
      }
      return labels[text];
    };
    const translate = () => {
      for (const node of root.querySelectorAll(".prose-menubar *")) {
        for (const name of ["title", "aria-label"]) {
          const label = node.hasAttribute(name) && translated(node.getAttribute(name));
          if (label) {
            node.setAttribute(name, label);
          }
        }
        // Icon buttons show a ligature ("undo"), not words.
        if (node.childElementCount === 0 && !node.classList.contains("material-icons")) {
          const label = translated(node.textContent.trim());
          if (label) {
            node.textContent = label;
          }
        }
      }
    };
    translate();
    new MutationObserver(translate).observe(root, { childList: true, subtree: true });
  },
});
