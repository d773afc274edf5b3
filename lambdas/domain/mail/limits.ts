/**
 * Bounds on the work `parseMail` does for one message. Mail is hostile input: every limit keeps
 * a crafted message from crashing, hanging or exhausting the function, and hitting one never
 * rejects the message. Whatever fits is parsed and the cut is recorded in `ParsedMail.problems`,
 * so the CPR still reaches a person (the raw message is archived untouched before parsing).
 */

const MiB = 1024 * 1024;

/** SES accepts inbound messages up to 40 MB and adds its own headers; 1 MiB margin for those. */
export const MAX_RAW_MESSAGE_BYTES = 41 * MiB;

/** Real clients nest multiparts a handful of levels; mailparser slows quadratically past that. */
export const MAX_MIME_DEPTH = 50;

/** mailparser's own default; past it mailsplit aborts the parse, so we cut the message before. */
export const MAX_MIME_PARTS = 1000;

/** Across the message and its forwarded messages; mass reports send archives, not loose files. */
export const MAX_ATTACHMENTS = 500;

/** Must hold a 25 MB attachment; base64 of a 41 MB message cannot decode to more than ~31 MB. */
export const MAX_ATTACHMENT_BYTES = 32 * MiB;

/** Per text body: a mass report listing 50,000 serials is about 2.5 million characters. */
export const MAX_TEXT_CHARS = 5_000_000;

/** HTML is cut to this before conversion to text; html-to-text is the slowest step per byte. */
export const MAX_HTML_TO_TEXT_CHARS = 5_000_000;

/** Per MIME header block (mailsplit's measure); real DKIM/ARC/Received chains stay below 100 KB. */
export const MAX_HEADER_BYTES = 256 * 1024;

/** Forwarded-of-forwarded reports rarely go past 3; each level parses its bytes once more. */
export const MAX_NESTED_MESSAGE_DEPTH = 5;

/** Sanitised header values (subject, names, kept headers) are cut here; RFC 5322 lines are 998. */
export const MAX_HEADER_VALUE_CHARS = 4096;

/** Message-IDs kept per threading header; each one can cost intake a lookup. */
export const MAX_MESSAGE_IDS = 100;

/**
 * Problem notes kept per message, by parsing and by evidence extraction each; notes are for
 * people, and a crafted message could otherwise produce one per part or per PEM block.
 */
export const MAX_PROBLEMS = 100;

/** The limits `parseMail` enforces; tests pass smaller ones to reach them cheaply. */
export interface MailLimits {
  readonly maxRawMessageBytes: number;
  readonly maxMimeDepth: number;
  readonly maxMimeParts: number;
  readonly maxAttachments: number;
  readonly maxAttachmentBytes: number;
  readonly maxTextChars: number;
  readonly maxHtmlToTextChars: number;
  readonly maxHeaderBytes: number;
  readonly maxNestedMessageDepth: number;
  readonly maxHeaderValueChars: number;
  readonly maxMessageIds: number;
  readonly maxProblems: number;
}

export const DEFAULT_MAIL_LIMITS: MailLimits = Object.freeze({
  maxRawMessageBytes: MAX_RAW_MESSAGE_BYTES,
  maxMimeDepth: MAX_MIME_DEPTH,
  maxMimeParts: MAX_MIME_PARTS,
  maxAttachments: MAX_ATTACHMENTS,
  maxAttachmentBytes: MAX_ATTACHMENT_BYTES,
  maxTextChars: MAX_TEXT_CHARS,
  maxHtmlToTextChars: MAX_HTML_TO_TEXT_CHARS,
  maxHeaderBytes: MAX_HEADER_BYTES,
  maxNestedMessageDepth: MAX_NESTED_MESSAGE_DEPTH,
  maxHeaderValueChars: MAX_HEADER_VALUE_CHARS,
  maxMessageIds: MAX_MESSAGE_IDS,
  maxProblems: MAX_PROBLEMS,
});
