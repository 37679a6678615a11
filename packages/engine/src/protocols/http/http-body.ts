/**
 * Request bodies of HTTP packets (docs/protocols.md, "HTTP and HTTPS"), compiled once:
 * `body_type` 0 raw text (`bodys[0].value` when present, else `body`; an object is sent as JSON),
 * 1 multipart/form-data (`bodys: [{key, value, filename?, content_type?}]`, text values),
 * 3 application/x-www-form-urlencoded (`bodys: [{key, value}]`). Keys and values are templates.
 */
import { randomBytes } from 'node:crypto';
import type { ContentInfo } from '@perftest/model';
import type { Template, VariableScope } from '../driver.js';
import { compileTemplate, templateText } from '../../compile/template.js';

/** A compiled request body. */
export interface BodyPlan {
  /** The body for one request ('' means none). */
  render(vars: VariableScope): string;
  /** Content-Type this body needs: `replace` when it must win over the case's header. */
  readonly contentType?: { value: string; replace: boolean };
}

interface FormItem {
  key: Template;
  value: Template;
  /** Multipart: the constant part lines after the name (filename, content type). */
  extra: string;
}

const NO_BODY: BodyPlan = { render: () => '' };

/** Compiles the body of `packet`; problems are pushed under `<path>.content.body_type|bodys`. */
export function compileBody(packet: ContentInfo, problem: (field: string, message: string) => void): BodyPlan {
  const bodyType = packet.body_type ?? 0;
  const items = Array.isArray(packet.bodys) ? packet.bodys : [];
  const template = (text: string, field: string) => compileTemplate(text, (m) => problem(field, m));
  if (bodyType === 0) {
    const first = items[0] as Record<string, unknown> | undefined;
    const raw = first !== null && typeof first === 'object' && 'value' in first ? first.value : packet.body;
    const text = templateText(raw);
    if (text === '') return NO_BODY;
    const t = template(text, first && 'value' in first ? 'bodys[0].value' : 'body');
    return { render: (vars) => t.render(vars) };
  }
  if (bodyType !== 1 && bodyType !== 3) {
    problem('body_type', `body_type must be 0 (raw), 1 (multipart/form-data) or 3 (x-www-form-urlencoded), got ${bodyType}`);
    return NO_BODY;
  }
  const form: FormItem[] = [];
  items.forEach((item, i) => {
    if (item === null || typeof item !== 'object') return problem(`bodys[${i}]`, 'a form item must be {"key","value"}');
    const it = item as Record<string, unknown>;
    if (typeof it.key !== 'string' || it.key === '') return problem(`bodys[${i}].key`, 'a form item needs a key');
    let extra = '';
    if (typeof it.filename === 'string') extra += `; filename="${quote(it.filename)}"`;
    extra += '\r\n';
    if (typeof it.content_type === 'string') extra += `Content-Type: ${it.content_type}\r\n`;
    form.push({
      key: template(it.key, `bodys[${i}].key`),
      value: template(templateText(it.value), `bodys[${i}].value`),
      extra,
    });
  });
  return bodyType === 1 ? multipart(form) : urlencoded(form);
}

function quote(text: string): string {
  return text.replace(/["\r\n]/g, (c) => (c === '"' ? '%22' : c === '\r' ? '%0D' : '%0A'));
}

function multipart(form: readonly FormItem[]): BodyPlan {
  const boundary = `----PerfTestBoundary${randomBytes(12).toString('hex')}`;
  const close = `--${boundary}--\r\n`;
  return {
    contentType: { value: `multipart/form-data; boundary=${boundary}`, replace: true },
    render(vars) {
      let out = '';
      for (let i = 0; i < form.length; i++) {
        const f = form[i];
        out += `--${boundary}\r\nContent-Disposition: form-data; name="${quote(f.key.render(vars))}"${f.extra}\r\n${f.value.render(vars)}\r\n`;
      }
      return out + close;
    },
  };
}

function formEncode(text: string): string {
  return encodeURIComponent(text).replace(/%20/g, '+');
}

function urlencoded(form: readonly FormItem[]): BodyPlan {
  return {
    contentType: { value: 'application/x-www-form-urlencoded', replace: false },
    render(vars) {
      let out = '';
      for (let i = 0; i < form.length; i++) {
        out += (i === 0 ? '' : '&') + formEncode(form[i].key.render(vars)) + '=' + formEncode(form[i].value.render(vars));
      }
      return out;
    },
  };
}
