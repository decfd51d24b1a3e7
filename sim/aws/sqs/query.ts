// SQS's older Query protocol, which Debian's awscli 2.9 (botocore before SQS moved to JSON) still speaks: a form
// post `Action=ReceiveMessage&Version=2012-11-05&QueueUrl=…&AttributeName.1=All`, an XML answer
// `<ReceiveMessageResponse><ReceiveMessageResult><Message>…` with flattened lists, and errors as
// `<ErrorResponse><Error><Type>Sender</Type><Code>AWS.SimpleQueueService.NonExistentQueue</Code>…`. Each request is
// translated into the JSON protocol's body and answered by the same SqsHandler, so both protocols share every rule;
// only the wire shapes differ (SQS API reference, 2012-11-05 query responses).
import type { QueryObject, QueryValue } from "../query-params.ts";
import { escapeXml } from "../xml.ts";
import type { SqsAnswer, SqsHandler } from "./handler.ts";

export const SQS_QUERY_VERSION = "2012-11-05";
const NAMESPACE = `http://queue.amazonaws.com/doc/${SQS_QUERY_VERSION}/`;

type Json = Record<string, unknown>;

const asList = (value: QueryValue | undefined): QueryValue[] => (Array.isArray(value) ? value : []);
const asObject = (value: QueryValue): QueryObject =>
  typeof value === "object" && !Array.isArray(value) ? value : ({} as QueryObject);

/** `Attribute.N.Name` / `Attribute.N.Value` pairs into a map. */
function attributeMap(params: QueryObject, name: string): Record<string, string> | undefined {
  const pairs = asList(params[name]).map(asObject);
  if (pairs.length === 0) return undefined;
  return Object.fromEntries(pairs.map((p) => [String(p.Name ?? ""), String(p.Value ?? "")]));
}

const numberOf = (value: QueryValue | undefined): number | string | undefined =>
  typeof value === "string" && /^-?[0-9]+$/.test(value) ? Number(value) : (value as string | undefined);

/** Batch entries (`<Prefix>.N.Member`) into the JSON protocol's `Entries`, numbers made numbers. */
function entries(params: QueryObject, name: string): Json[] {
  return asList(params[name]).map((entry) => {
    const object = asObject(entry);
    return Object.fromEntries(
      Object.entries(object).map(([key, value]) => [
        key,
        key === "Id" || key.endsWith("Handle") || key === "MessageBody" ? value : numberOf(value),
      ]),
    );
  });
}

/** The JSON protocol's request body for a query request. */
function jsonBody(action: string, params: QueryObject): Json {
  const { Action: _action, Version: _version, ...rest } = params;
  const body: Json = {};
  for (const [key, value] of Object.entries(rest)) {
    if (key === "Attribute") body.Attributes = attributeMap(rest, "Attribute");
    else if (key === "AttributeName") body.AttributeNames = asList(value);
    else if (key === "MessageSystemAttributeName") body.MessageSystemAttributeNames = asList(value);
    else if (key === "MessageAttributeName") body.MessageAttributeNames = asList(value);
    else if (key.endsWith("BatchRequestEntry")) body.Entries = entries(rest, key);
    else if (["MaxNumberOfMessages", "VisibilityTimeout", "WaitTimeSeconds", "DelaySeconds"].includes(key))
      body[key] = numberOf(value);
    else body[key] = value;
  }
  if (action === "GetQueueAttributes" && body.AttributeNames === undefined) body.AttributeNames = [];
  return body;
}

function element(name: string, value: unknown): string {
  if (value === undefined || value === null) return "";
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

const attributesXml = (attributes: unknown): string =>
  Object.entries((attributes ?? {}) as Record<string, string>)
    .map(([name, value]) => `<Attribute>${element("Name", name)}${element("Value", value)}</Attribute>`)
    .join("");

const fields = (object: Json, names: readonly string[]) => names.map((n) => element(n, object[n])).join("");

/** The `<Action>Result>` members of a successful JSON answer. */
function resultXml(action: string, result: Json): string {
  const batch = (successTag: string, successFields: string[]) =>
    ((result.Successful ?? []) as Json[])
      .map((e) => `<${successTag}>${fields(e, successFields)}</${successTag}>`)
      .join("") +
    ((result.Failed ?? []) as Json[])
      .map(
        (e) => `<BatchResultErrorEntry>${fields(e, ["Id", "SenderFault", "Code", "Message"])}</BatchResultErrorEntry>`,
      )
      .join("");
  switch (action) {
    case "CreateQueue":
    case "GetQueueUrl":
      return element("QueueUrl", result.QueueUrl);
    case "GetQueueAttributes":
      return attributesXml(result.Attributes);
    case "SendMessage":
      return fields(result, ["MessageId", "MD5OfMessageBody"]);
    case "SendMessageBatch":
      return batch("SendMessageBatchResultEntry", ["Id", "MessageId", "MD5OfMessageBody"]);
    case "ReceiveMessage":
      return ((result.Messages ?? []) as Json[])
        .map(
          (m) =>
            `<Message>${fields(m, ["MessageId", "ReceiptHandle", "MD5OfBody", "Body"])}${attributesXml(m.Attributes)}</Message>`,
        )
        .join("");
    case "DeleteMessageBatch":
      return batch("DeleteMessageBatchResultEntry", ["Id"]);
    case "ChangeMessageVisibilityBatch":
      return batch("ChangeMessageVisibilityBatchResultEntry", ["Id"]);
    default:
      return "";
  }
}

/** Answers a query-protocol request through the JSON handler and rewrites the answer in the query's XML. */
export async function handleSqsQuery(sqs: SqsHandler, params: QueryObject, requestId: string): Promise<SqsAnswer> {
  const action = typeof params.Action === "string" ? params.Action : "";
  const answer = await sqs.handle(`AmazonSQS.${action}`, JSON.stringify(jsonBody(action, params)));
  return queryAnswer(action, answer, requestId);
}

/** A JSON protocol answer (or error) in the query protocol's XML. */
export function queryAnswer(action: string, answer: SqsAnswer, requestId: string): SqsAnswer {
  const json = JSON.parse(answer.body) as Json;
  const headers = { "content-type": "text/xml" };
  const metadata = `<ResponseMetadata>${element("RequestId", requestId)}</ResponseMetadata>`;
  if (answer.status === 200) {
    const result = resultXml(action, json);
    const body =
      `<?xml version="1.0"?><${action}Response xmlns="${NAMESPACE}">` +
      (result === "" && !["GetQueueAttributes", "ReceiveMessage"].includes(action)
        ? ""
        : `<${action}Result>${result}</${action}Result>`) +
      `${metadata}</${action}Response>`;
    return { status: 200, headers, body };
  }
  const [code = String(json.__type), type = "Sender"] = (answer.headers["x-amzn-query-error"] ?? "").split(";");
  const body =
    `<?xml version="1.0"?><ErrorResponse xmlns="${NAMESPACE}"><Error>${element("Type", type)}${element("Code", code)}` +
    `${element("Message", json.message)}<Detail/></Error>${element("RequestId", requestId)}</ErrorResponse>`;
  return { status: answer.status, headers, body };
}
