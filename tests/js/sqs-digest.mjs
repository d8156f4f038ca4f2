// SQS's MD5 of message attributes, computed independently of nimbus: the SDK for JavaScript
// checks only body digests (MD5OfBody, MD5OfMessageBody), so the tests check this one.
// Per attribute, sorted by name: length-prefixed name, length-prefixed data type, a transport
// byte (1 string, 2 binary) and the length-prefixed value (UTF-8 text or the raw bytes).
import { createHash } from "node:crypto";

function lengthPrefixed(bytes) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(bytes.length);
  return Buffer.concat([len, Buffer.from(bytes)]);
}

export function md5OfMessageAttributes(attributes) {
  const hash = createHash("md5");
  for (const name of Object.keys(attributes).sort()) {
    const a = attributes[name];
    hash.update(lengthPrefixed(Buffer.from(name, "utf8")));
    hash.update(lengthPrefixed(Buffer.from(a.DataType, "utf8")));
    if (a.BinaryValue !== undefined) {
      hash.update(Buffer.from([2]));
      hash.update(lengthPrefixed(a.BinaryValue));
    } else {
      hash.update(Buffer.from([1]));
      hash.update(lengthPrefixed(Buffer.from(a.StringValue, "utf8")));
    }
  }
  return hash.digest("hex");
}

export function md5(text) {
  return createHash("md5").update(text, "utf8").digest("hex");
}
