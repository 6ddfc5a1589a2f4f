// An example host page driving embedded labs through their postMessage API (docs/embed-api.md).
// Every request carries an id; the lab replies with the same id. A sandboxed frame has an
// opaque origin, so requests go to '*' and replies are recognised by the frame they come from.
const API = { api: 'replication-lab', v: 1 };
const labs = {
  async: { frame: document.getElementById('lab-async'), log: document.getElementById('log-async') },
  sync: { frame: document.getElementById('lab-sync'), log: document.getElementById('log-sync') },
};
const pending = new Map();
let nextId = 1;
// Everything the labs said, for the end-to-end tests to read.
window.labMessages = [];

/** Sends `type` to `lab`; resolves with its reply, rejects with its error. */
function send(lab, type, fields = {}) {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    lab.frame.contentWindow.postMessage({ ...API, id, type, ...fields }, '*');
  });
}

window.addEventListener('message', (event) => {
  const name = Object.keys(labs).find((key) => labs[key].frame.contentWindow === event.source);
  const message = event.data;
  if (!name || message?.api !== API.api) return;
  window.labMessages.push({ lab: name, ...message });
  if (message.id != null && pending.has(message.id)) {
    const { resolve, reject } = pending.get(message.id);
    pending.delete(message.id);
    (message.ok ? resolve : reject)(message);
  } else if (message.type === 'update' && message.events.length > 0) {
    const lines = message.events.map((e) => `${(e.time / 1e6).toFixed(3)} s  ${e.text}`);
    labs[name].log.textContent = [...lines, ...labs[name].log.textContent.split('\n')].slice(0, 4).join('\n');
  }
});

/** The id of the node named `name` in `lab`. */
async function nodeId(lab, name) {
  const state = await send(lab, 'get_state');
  const node = state.nodes.find((n) => n.name === name);
  if (!node) throw new Error(`no node ${name}`);
  return node.id;
}

const actions = {
  write: async (lab) =>
    send(lab, 'action', {
      action: { sql: { client: await nodeId(lab, 'client-1'), sql: "INSERT INTO orders (status) VALUES ('paid')" } },
    }),
  crash: async (lab, button) => send(lab, 'action', { action: { crash: await nodeId(lab, button.dataset.node) } }),
  play: (lab) => send(lab, 'play'),
  pause: (lab) => send(lab, 'pause'),
  step: (lab) => send(lab, 'step'),
};

for (const button of document.querySelectorAll('button[data-lab]')) {
  button.addEventListener('click', async () => {
    const lab = labs[button.dataset.lab];
    try {
      await actions[button.dataset.do](lab, button);
    } catch (reply) {
      lab.log.textContent = `The lab said: ${reply.error ?? reply.message}`;
    }
  });
}
