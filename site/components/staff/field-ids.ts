/** The id a control gets, and the ids of its hint and error for aria-describedby, so the error summary can link to it. */
export function fieldIds(prefix: string, name: string, hint: string | undefined, error: string | undefined) {
  const id = `${prefix}${name}`;
  const describedBy = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(' ') || undefined;
  return { id, describedBy };
}
