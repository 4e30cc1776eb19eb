// Drives the official Anthropic TypeScript SDK, unchanged, against an Opsbench simulator whose
// address is in OPSBENCH_SIM_URL. The simulator must fail its first request with a 429, so that
// the SDK's own retry is seen. Prints one line per check and "N passed, N failed" at the end.
import Anthropic from '@anthropic-ai/sdk';

const baseURL = process.env.OPSBENCH_SIM_URL;
const model = 'claude-haiku-4-5';
const question = [{ role: 'user', content: 'How long does a basic service take?' }];

let requestsSent = 0;
const countingFetch = (url, init) => {
  requestsSent += 1;
  return fetch(url, init);
};
const client = new Anthropic({ apiKey: 'sk-ant-sdk-test', baseURL, fetch: countingFetch });

const results = [];
async function check(name, body) {
  try {
    await body();
    results.push(true);
    console.log(`PASS ${name}`);
  } catch (error) {
    results.push(false);
    console.log(`FAIL ${name}: ${error?.stack ?? error}`);
  }
}
function expect(condition, what) {
  if (!condition) throw new Error(what);
}

let plain;
await check('a rate-limited first request is retried by the SDK', async () => {
  plain = await client.messages.create({ model, max_tokens: 200, messages: question });
  expect(requestsSent === 2, `expected 2 requests (one 429, one retry), saw ${requestsSent}`);
});

await check('a plain message has the API shape', async () => {
  expect(plain.type === 'message' && plain.role === 'assistant', 'not a message');
  expect(plain.content[0].type === 'text' && plain.content[0].text.length > 0, 'no text');
  expect(plain.stop_reason === 'end_turn', `stop_reason ${plain.stop_reason}`);
  expect(plain.usage.input_tokens > 0 && plain.usage.output_tokens > 0, 'no usage');
  expect(String(plain._request_id).startsWith('req_'), `request id ${plain._request_id}`);
});

await check('a streamed message arrives in pieces and adds up', async () => {
  let streamed = '';
  let pieces = 0;
  const stream = client.messages.stream({ model, max_tokens: 200, messages: question });
  stream.on('text', (text) => {
    streamed += text;
    pieces += 1;
  });
  const message = await stream.finalMessage();
  expect(pieces > 1, `only ${pieces} piece(s)`);
  expect(streamed === message.content[0].text, 'streamed text differs from the final text');
  expect(message.usage.output_tokens === plain.usage.output_tokens, 'output usage differs');
  expect(message.stop_reason === 'end_turn', `stop_reason ${message.stop_reason}`);
});

await check('count_tokens agrees with the usage of the same request', async () => {
  const counted = await client.messages.countTokens({ model, messages: question });
  expect(counted.input_tokens === plain.usage.input_tokens,
         `counted ${counted.input_tokens}, used ${plain.usage.input_tokens}`);
});

await check('no key is a 401 AuthenticationError', async () => {
  const anonymous = new Anthropic({
    apiKey: 'unused', baseURL, maxRetries: 0,
    defaultHeaders: { authorization: null, 'x-api-key': null },
  });
  try {
    await anonymous.messages.create({ model, max_tokens: 50, messages: question });
  } catch (error) {
    expect(error instanceof Anthropic.AuthenticationError, `got ${error?.constructor?.name}`);
    expect(error.status === 401, `status ${error.status}`);
    return;
  }
  throw new Error('the call succeeded without a key');
});

await check('the old header style (x-api-key, 2023-06-01) works too', async () => {
  const older = new Anthropic({
    apiKey: 'unused', baseURL, maxRetries: 0,
    defaultHeaders: { authorization: null, 'x-api-key': 'sk-ant-sdk-test',
                      'anthropic-version': '2023-06-01' },
  });
  const message = await older.messages.create({ model, max_tokens: 50, messages: question,
                                                temperature: 0.2 });
  expect(message.type === 'message', 'not a message');
});

await check('an invented model id is a 404 NotFoundError', async () => {
  try {
    await client.messages.create({ model: 'claude-sonnet-4-5-20251001', max_tokens: 50,
                                   messages: question });
  } catch (error) {
    expect(error instanceof Anthropic.NotFoundError, `got ${error?.constructor?.name}`);
    return;
  }
  throw new Error('the invented model answered');
});

const passed = results.filter(Boolean).length;
console.log(`${passed} passed, ${results.length - passed} failed`);
process.exit(passed === results.length ? 0 : 1);
