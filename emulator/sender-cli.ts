/**
 * The emulator's sender commands (Redox calling your flow):
 *   redox-emulator deliver --to URL [--token T] [--attempts N] [--backoff MS] [--sample Model/Event [--count N]] [FILE...]
 *   redox-emulator query   --to URL [--token T] (--sample Model/Event | FILE)
 * The token may come from REDOX_VERIFICATION_TOKEN instead (kept out of the process list).
 */
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { deliverFeed, sampleDelivery, sendQuery, type AttemptOutcome } from './sender';

export const SENDER_HELP = `Usage: redox-emulator deliver --to URL [options] [FILE...]
       redox-emulator query --to URL [options] (--sample Model/Event | FILE)
  deliver: verifies the destination (POST with a challenge), then POSTs each message in order as
           Redox does, sending one again with a doubling back-off while it is refused (status >= 400)
  query:   sends one query and prints the answer
  --to URL              the destination URL, e.g. http://127.0.0.1:1880/redox
  --token T             the verification token (default $REDOX_VERIFICATION_TOKEN)
  --sample Model/Event  send Redox's example of this event (e.g. PatientAdmin/Arrival) instead of files
  --count N             how many samples to deliver (default 1)
  --attempts N          tries per message before the feed stops (default 5)
  --backoff MS          the first wait after a refusal, doubling each time (default 1000)
  FILE                  a JSON file holding one message or an array of them`;

export async function runSender(command: 'deliver' | 'query', args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      to: { type: 'string' },
      token: { type: 'string' },
      sample: { type: 'string' },
      count: { type: 'string', default: '1' },
      attempts: { type: 'string', default: '5' },
      backoff: { type: 'string', default: '1000' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const token = values.token ?? process.env.REDOX_VERIFICATION_TOKEN;
  const count = Number(values.count);
  const attempts = Number(values.attempts);
  const backoffMs = Number(values.backoff);
  if (values.help || !values.to || !token || !(Number.isInteger(count) && count > 0) || !(attempts >= 1) || !(backoffMs >= 0)) {
    console.error(SENDER_HELP);
    return 2;
  }
  const messages = values.sample ? Array.from({ length: count }, () => sampleOf(values.sample!)) : positionals.flatMap(readMessages);
  if (messages.length === 0 || (command === 'query' && messages.length !== 1)) {
    console.error(
      command === 'query'
        ? 'redox-emulator query: give one message (a FILE or --sample)'
        : 'redox-emulator deliver: give FILEs or --sample',
    );
    return 2;
  }

  if (command === 'query') {
    const answer = await sendQuery(values.to, messages[0], { token });
    console.log(`HTTP ${answer.status}`);
    console.log(typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body, null, 2));
    return answer.status < 400 ? 0 : 1;
  }

  const result = await deliverFeed(values.to, messages, {
    token,
    attempts,
    backoffMs,
    onAttempt: (a) => console.log(describeAttempt(a, messages)),
  });
  if (!result.verified) {
    console.error(`redox-emulator: ${values.to} did not pass verification (wrong token, or nothing listening there)`);
    return 1;
  }
  console.log(`verified ${values.to}; delivered ${result.delivered} of ${messages.length}`);
  if (result.stoppedAt) {
    const { index, status, error, attempts: tried } = result.stoppedAt;
    console.error(`redox-emulator: message ${index + 1} refused ${tried} times (last: ${status ?? error}); the feed stops there`);
    return 1;
  }
  return 0;
}

function sampleOf(pair: string): Record<string, unknown> {
  const [dataModel, eventType] = pair.split('/');
  return sampleDelivery(dataModel ?? '', eventType ?? '');
}

function readMessages(file: string): unknown[] {
  const parsed: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
  return Array.isArray(parsed) ? parsed : [parsed];
}

function describeAttempt({ index, attempt, status, error }: AttemptOutcome, messages: unknown[]): string {
  const meta = (messages[index] as { Meta?: { DataModel?: unknown; EventType?: unknown } })?.Meta;
  const what = meta ? `${String(meta.DataModel)} ${String(meta.EventType)}` : 'message';
  return `${index + 1}/${messages.length} ${what}: ${status ?? error}${attempt > 1 ? ` (attempt ${attempt})` : ''}`;
}
