/**
 * A real SMTP sender for tests of the local SMTP stand-in, run in a child process so that its
 * writes never share (or block) the event loop of the process that hosts the server. Prints one
 * JSON line with what happened.
 *
 *   send <port> <from> <to> <bodyBytes>   nodemailer streams a message of about that size, with
 *                                         no SIZE parameter (as a sender that ignores it would)
 *   hold <port> <count>                   opens that many connections at once, prints each
 *                                         greeting's reply code, keeps them open until stdin ends
 */
import { connect, type Socket } from 'node:net';
import { Readable } from 'node:stream';
import { createTransport } from 'nodemailer';

/** Longest line SMTP allows (RFC 5321 4.5.3.1.6), less CRLF. */
const LINE = `${'x'.repeat(998)}\r\n`;

function message(from: string, to: string, bodyBytes: number): Readable {
  let sent = 0;
  return Readable.from(
    (function* () {
      yield `From: ${from}\r\nTo: ${to}\r\nSubject: size test\r\nMessage-ID: <size-${process.pid}@sender.example>\r\n\r\n`;
      // Chunks of 64 lines: the sender streams, it does not build the message in memory.
      const chunk = LINE.repeat(64);
      while (sent < bodyBytes) {
        sent += chunk.length;
        yield chunk;
      }
    })(),
  );
}

async function send(port: number, from: string, to: string, bodyBytes: number): Promise<void> {
  const transport = createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
  try {
    const info = await transport.sendMail({
      envelope: { from, to: [to] },
      raw: message(from, to, bodyBytes),
    });
    console.log(JSON.stringify({ accepted: true, response: info.response }));
  } catch (error) {
    const e = error as { responseCode?: number; response?: string; message: string };
    console.log(
      JSON.stringify({
        accepted: false,
        code: e.responseCode ?? null,
        response: e.response ?? e.message,
      }),
    );
  } finally {
    transport.close();
  }
}

/** The reply code of the server's first line, or 0 when it closed without a word. */
function greeting(socket: Socket): Promise<number> {
  return new Promise((resolve) => {
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => {
      text += d;
      if (text.includes('\r\n')) resolve(Number(text.slice(0, 3)));
    });
    socket.on('close', () => resolve(0));
    socket.on('error', () => resolve(0));
  });
}

async function hold(port: number, count: number): Promise<void> {
  const sockets = Array.from({ length: count }, () => connect(port, '127.0.0.1'));
  const codes = await Promise.all(sockets.map(greeting));
  console.log(JSON.stringify({ codes }));
  process.stdin.resume();
  process.stdin.on('end', () => {
    for (const s of sockets) s.destroy();
    process.exit(0);
  });
}

const [mode, port, ...rest] = process.argv.slice(2);
if (mode === 'send') await send(Number(port), rest[0]!, rest[1]!, Number(rest[2]));
else if (mode === 'hold') await hold(Number(port), Number(rest[0]));
else throw new Error(`unknown mode ${mode}`);
