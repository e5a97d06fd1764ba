/**
 * A small XML element-tree parser for tests (the project has no XML library): elements, attributes,
 * text, self-closing tags, comments, the XML declaration. Throws on mismatched tags, so a test also
 * proves the document is well-formed. Not a general parser: no DTDs, CDATA or processing instructions.
 */
export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const decode = (s: string) => s.replace(/&(amp|lt|gt|quot|apos);/g, (_, e: string) => ENTITIES[e]);

export function parseXml(source: string): XmlElement {
  let i = 0;
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  const fail = (msg: string): never => {
    throw new Error(`XML: ${msg} at ${i}`);
  };
  while (i < source.length) {
    if (source.startsWith('<?', i)) {
      const end = source.indexOf('?>', i);
      if (end < 0) fail('unclosed declaration');
      i = end + 2;
      continue;
    }
    if (source.startsWith('<!--', i)) {
      const end = source.indexOf('-->', i);
      if (end < 0) fail('unclosed comment');
      i = end + 3;
      continue;
    }
    if (source.startsWith('</', i)) {
      const end = source.indexOf('>', i);
      const name = source.slice(i + 2, end).trim();
      const open = stack.pop();
      if (!open || open.name !== name) fail(`</${name}> closes <${open?.name}>`);
      i = end + 1;
      continue;
    }
    if (source[i] === '<') {
      const end = source.indexOf('>', i);
      if (end < 0) fail('unclosed tag');
      let body = source.slice(i + 1, end);
      const selfClosing = body.endsWith('/');
      if (selfClosing) body = body.slice(0, -1);
      const nameMatch = /^\s*([A-Za-z_][\w.:-]*)/.exec(body);
      if (!nameMatch) fail('bad tag name');
      const element: XmlElement = { name: nameMatch![1], attributes: {}, children: [], text: '' };
      const attrRe = /([A-Za-z_][\w.:-]*)\s*=\s*("([^"]*)"|'([^']*)')/g;
      const rest = body.slice(nameMatch![0].length);
      let m: RegExpExecArray | null;
      while ((m = attrRe.exec(rest))) {
        if (m[1] in element.attributes) fail(`duplicate attribute ${m[1]}`);
        element.attributes[m[1]] = decode(m[3] ?? m[4]);
      }
      if (rest.replace(attrRe, '').trim()) fail(`junk in tag <${element.name}>`);
      if (stack.length) stack[stack.length - 1].children.push(element);
      else if (root) fail('second root element');
      else root = element;
      if (!selfClosing) stack.push(element);
      i = end + 1;
      continue;
    }
    const next = source.indexOf('<', i);
    const text = source.slice(i, next < 0 ? source.length : next);
    if (text.trim()) {
      if (!stack.length) fail('text outside the root');
      stack[stack.length - 1].text += decode(text.trim());
    }
    i = next < 0 ? source.length : next;
  }
  if (stack.length) fail(`<${stack[stack.length - 1].name}> not closed`);
  if (!root) fail('no root element');
  return root!;
}

export function child(element: XmlElement, name: string): XmlElement | undefined {
  return element.children.find((c) => c.name === name);
}

export function path(element: XmlElement, ...names: string[]): XmlElement | undefined {
  let current: XmlElement | undefined = element;
  for (const name of names) current = current && child(current, name);
  return current;
}
