/** Placeholder replaced when the local stand-ins are wired in. */
export default async function setup(): Promise<void> {}
