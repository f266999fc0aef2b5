const formatter = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

/** An ISO timestamp as the person's locale writes a date and time. */
export const formatWhen = (iso: string) => formatter.format(new Date(iso));
