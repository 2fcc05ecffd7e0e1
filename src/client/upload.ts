// The browser upload page: files by drag and drop or the file picker, then one request per file
// (XHR, for its upload progress) with the shared metadata form, a progress bar and a clear result
// per file. Without this script the form still posts all files at once and the server answers
// with a results list.
import { localeTag } from './common';

interface UploadResultJson {
  file: string;
  outcome: 'created' | 'duplicate' | 'rejected';
  url?: string;
  message: string;
}

interface ErrorJson {
  error?: { key: string; message: string; fields?: { field: string; message: string }[] };
  results?: UploadResultJson[];
}

interface QueueItem {
  file: File;
  state: 'pending' | 'uploading' | 'processing' | 'done' | 'rejected' | 'failed';
  el: HTMLLIElement;
}

function csrf(): string {
  return document.querySelector<HTMLMetaElement>('meta[name="csrf-token"]')?.content ?? '';
}

/** The file's size in the page's language: "0 byte", "12 kB", "3.4 MB" (an empty file is not "1 KB"). */
function formatSize(bytes: number, lang = localeTag()): string {
  const [value, unit] = bytes >= 1048576 ? [bytes / 1048576, 'megabyte'] : bytes >= 1024 ? [bytes / 1024, 'kilobyte'] : [bytes, 'byte'];
  return new Intl.NumberFormat(lang, { style: 'unit', unit, unitDisplay: 'short', maximumFractionDigits: unit === 'megabyte' ? 1 : 0 }).format(value);
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

function setup(form: HTMLFormElement): void {
  const msg = (name: string) => form.dataset[name] ?? '';
  const input = form.querySelector<HTMLInputElement>('#f-recording')!;
  const dropzone = form.querySelector<HTMLElement>('#dropzone')!;
  const queueEl = form.querySelector<HTMLUListElement>('#upload-queue')!;
  const submit = form.querySelector<HTMLButtonElement>('#upload-submit')!;
  const summary = form.querySelector<HTMLElement>('#upload-summary')!;
  const formError = form.querySelector<HTMLElement>('#upload-form-error')!;
  const fileError = form.querySelector<HTMLElement>('#f-recording-err')!;
  const queue: QueueItem[] = [];
  let busy = false;

  dropzone.classList.add('enhanced');
  // The file input stays in the form for the no-script path; here the queue holds the files.
  input.removeAttribute('name');

  function addFiles(list: FileList | null): void {
    if (!list) return;
    for (const file of Array.from(list)) {
      const item: QueueItem = { file, state: 'pending', el: el('li', 'upload-item') };
      queue.push(item);
      render(item);
      queueEl.append(item.el);
    }
    fileError.hidden = true;
    dropzone.classList.remove('has-error');
  }

  function render(item: QueueItem, message?: string, link?: string, percent?: number): void {
    const li = item.el;
    li.replaceChildren();
    li.className = `upload-item ${item.state === 'done' ? 'done' : item.state === 'rejected' || item.state === 'failed' ? 'rejected' : ''}`;
    const head = el('div', 'upload-item-head');
    head.append(el('span', 'upload-file-name break', item.file.name), el('span', 'muted', formatSize(item.file.size)));
    // An empty file is refused by the server anyway: say so before it is sent.
    if (item.file.size === 0 && item.state === 'pending') head.append(el('span', 'badge badge-warn', msg('msgEmpty')));
    if (item.state === 'pending' && !busy) {
      const remove = el('button', 'btn btn-sm btn-ghost', msg('msgRemove'));
      remove.type = 'button';
      remove.addEventListener('click', () => {
        queue.splice(queue.indexOf(item), 1);
        li.remove();
      });
      head.append(remove);
    }
    li.append(head);
    if (item.state === 'uploading' || item.state === 'processing') {
      const bar = el('div', 'progress');
      bar.setAttribute('role', 'progressbar');
      bar.setAttribute('aria-valuemin', '0');
      bar.setAttribute('aria-valuemax', '100');
      bar.setAttribute('aria-valuenow', String(percent ?? 0));
      const fill = el('span');
      fill.style.width = `${percent ?? 0}%`;
      bar.append(fill);
      li.append(bar, el('div', 'upload-item-msg muted', item.state === 'processing' ? msg('msgProcessing') : `${msg('msgUploading')} ${percent ?? 0}%`));
    }
    if (message) {
      const line = el('div', 'upload-item-msg');
      const badgeClass = item.state === 'done' ? 'badge badge-ok' : 'badge badge-danger';
      if (item.state === 'done' || item.state === 'rejected') line.append(el('span', badgeClass, message.split('\n')[0]), document.createTextNode(' '));
      const rest = message.split('\n')[1];
      if (rest) line.append(document.createTextNode(rest));
      if (item.state === 'failed') line.textContent = message;
      if (link) {
        const a = el('a', '', msg('msgOpen'));
        a.href = link;
        line.append(document.createTextNode(' '), a);
      }
      li.append(line);
    }
  }

  function clearFieldErrors(): void {
    form.querySelectorAll('.field.has-error').forEach((f) => f.classList.remove('has-error'));
    form.querySelectorAll('.field-error.js-added').forEach((e) => e.remove());
    formError.hidden = true;
  }

  function showFieldErrors(fields: { field: string; message: string }[]): void {
    formError.hidden = false;
    for (const f of fields) {
      if (f.field === 'recording') {
        fileError.textContent = f.message;
        fileError.hidden = false;
        dropzone.classList.add('has-error');
        continue;
      }
      const control = form.querySelector<HTMLElement>(`[name="${CSS.escape(f.field)}"]`);
      const box = control?.closest('.field, fieldset');
      if (!box) continue;
      box.classList.add('has-error');
      const p = el('p', 'field-error js-added', f.message);
      box.append(p);
    }
    formError.scrollIntoView({ behavior: 'smooth', block: 'center' });
  }

  /** Sends one file; resolves to false when the metadata needs fixing (stop the batch). */
  function send(item: QueueItem): Promise<boolean> {
    return new Promise((resolve) => {
      const data = new FormData(form);
      data.delete('recording');
      data.append('recording', item.file, item.file.name);
      const xhr = new XMLHttpRequest();
      xhr.open('POST', form.action);
      xhr.setRequestHeader('Accept', 'application/json');
      xhr.setRequestHeader('x-csrf-token', csrf());
      xhr.responseType = 'json';
      item.state = 'uploading';
      render(item, undefined, undefined, 0);
      xhr.upload.addEventListener('progress', (e) => {
        if (e.lengthComputable) render(item, undefined, undefined, Math.round((e.loaded / e.total) * 100));
      });
      xhr.upload.addEventListener('load', () => {
        item.state = 'processing';
        render(item, undefined, undefined, 100);
      });
      xhr.addEventListener('error', () => {
        item.state = 'failed';
        render(item, msg('msgFailed'));
        resolve(true);
      });
      xhr.addEventListener('load', () => {
        const body = (xhr.response ?? {}) as ErrorJson;
        const result = body.results?.[0];
        if (result) {
          item.state = result.outcome === 'rejected' ? 'rejected' : 'done';
          const badge = result.outcome === 'created' ? msg('msgCreated') : result.outcome === 'duplicate' ? msg('msgDuplicate') : msg('msgRejected');
          render(item, `${badge}\n${result.outcome === 'rejected' ? result.message : ''}`, result.url);
          return resolve(true);
        }
        if (xhr.status === 400 && body.error?.fields?.length) {
          item.state = 'pending';
          render(item);
          showFieldErrors(body.error.fields);
          return resolve(false);
        }
        item.state = 'rejected';
        render(item, `${msg('msgRejected')}\n${body.error?.message ?? `HTTP ${xhr.status}`}`);
        resolve(true);
      });
      xhr.send(data);
    });
  }

  input.addEventListener('change', () => {
    addFiles(input.files);
    input.value = '';
  });
  for (const type of ['dragenter', 'dragover']) {
    dropzone.addEventListener(type, (e) => {
      e.preventDefault();
      dropzone.classList.add('dragover');
    });
  }
  for (const type of ['dragleave', 'dragend', 'drop']) dropzone.addEventListener(type, () => dropzone.classList.remove('dragover'));
  dropzone.addEventListener('drop', (e) => {
    e.preventDefault();
    addFiles((e as DragEvent).dataTransfer?.files ?? null);
  });
  // A file dropped beside the zone should not make the browser leave the page.
  window.addEventListener('dragover', (e) => e.preventDefault());
  window.addEventListener('drop', (e) => e.preventDefault());

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (busy) return;
    clearFieldErrors();
    const pending = queue.filter((q) => q.state === 'pending' || q.state === 'failed');
    if (!pending.length) {
      fileError.textContent = msg('msgNone');
      fileError.hidden = false;
      dropzone.classList.add('has-error');
      formError.hidden = false;
      return;
    }
    busy = true;
    submit.disabled = true;
    queue.forEach((q) => q.state === 'pending' && render(q));
    for (const item of pending) {
      const goOn = await send(item);
      if (!goOn) break;
    }
    busy = false;
    submit.disabled = false;
    queue.forEach((q) => q.state === 'pending' && render(q));
    const done = queue.filter((q) => q.state === 'done').length;
    summary.textContent = queue.every((q) => q.state === 'done' || q.state === 'rejected') ? `${msg('msgDone')} (${done}/${queue.length})` : '';
  });
}

const form = document.querySelector<HTMLFormElement>('#upload-form');
if (form) setup(form);
