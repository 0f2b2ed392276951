/**
 * A QR code in the terminal, for `toxlink id --qr`: the code is made by `qrcode-generator`
 * (MIT, no dependencies) and drawn here with Unicode half blocks, two rows of modules per
 * line of text, dark modules as the terminal's background colour on a light quiet zone.
 * The content is `tox:` and the Tox ID, as qTox and other clients encode it.
 *
 * @see spec/cli.md#toxlink-id
 * @module
 */
import qrcode from 'qrcode-generator';

/** Modules of light margin around the code (the standard asks for 4; 2 scans well on screens). */
const QUIET_ZONE = 2;

/** The QR code's modules: `true` for dark, row by row. */
export function qrModules(text: string): boolean[][] {
  const qr = qrcode(0, 'M');
  qr.addData(text, 'Byte');
  qr.make();
  const n = qr.getModuleCount();
  return Array.from({ length: n }, (_, r) => Array.from({ length: n }, (_, c) => qr.isDark(r, c)));
}

/**
 * The code as lines of text: each character is two modules stacked, drawn light on a dark
 * terminal as most are (light = a full or half block, dark = a space).
 */
export function renderQr(text: string): string[] {
  const modules = qrModules(text);
  const size = modules.length + 2 * QUIET_ZONE;
  const dark = (r: number, c: number): boolean => {
    const rr = r - QUIET_ZONE;
    const cc = c - QUIET_ZONE;
    return rr >= 0 && cc >= 0 && rr < modules.length && cc < modules.length && modules[rr]![cc]!;
  };
  const lines: string[] = [];
  for (let r = 0; r < size; r += 2) {
    let line = '';
    for (let c = 0; c < size; c++) {
      const top = !dark(r, c);
      const bottom = r + 1 < size ? !dark(r + 1, c) : false;
      line += top && bottom ? '█' : top ? '▀' : bottom ? '▄' : ' ';
    }
    lines.push(line);
  }
  return lines;
}

/** What `toxlink id --qr` encodes for a Tox ID. */
export function toxUri(toxId: string): string {
  return `tox:${toxId}`;
}
