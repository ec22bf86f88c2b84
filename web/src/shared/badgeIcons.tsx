// Badge icons are named in the catalogue; these are the glyphs both apps draw them with
// (characters every default font has, so they never show as empty boxes).
const GLYPHS: Record<string, string> = { trophy: '♛', wave: '☺', graduation: '✎', star: '★', shield: '⚑', cake: '✿', heart: '♥', rocket: '✈', lightbulb: '☀', handshake: '✚' };

export function BadgeIcon({ icon }: { icon: string }) {
  return (
    <span aria-hidden="true" className="badge-icon">
      {GLYPHS[icon] ?? '★'}
    </span>
  );
}

export const badgeGlyph = (icon: string) => GLYPHS[icon] ?? '★';
