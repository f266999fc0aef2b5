"use client";

export function ContactList({ contacts, active, onOpen }: { contacts: { nickname: string; unread: number; request?: boolean }[]; active: string | null; onOpen: (nickname: string) => void }) {
  if (contacts.length === 0) return <p className="muted">No conversations yet.</p>;
  return (
    <nav aria-label="Recent contacts">
      <ul className="contacts">
        {contacts.map((c) => (
          <li key={c.nickname}>
            <button type="button" className="secondary" aria-current={c.nickname === active ? "true" : undefined} onClick={() => onOpen(c.nickname)}>
              {c.nickname}
              {c.unread > 0 && <span className="badge" aria-label={`${c.unread} unread`}>{c.unread}</span>}
              {c.request && <span className="badge muted">request</span>}
            </button>
          </li>
        ))}
      </ul>
    </nav>
  );
}
