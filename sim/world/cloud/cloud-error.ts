// An AWS error as the world raises it: EC2's (or SQS's) error code and message, which the protocol layers put on
// the wire in their own format. `status` is the HTTP status AWS answers with (400 for the caller's mistakes).
export class CloudError extends Error {
  readonly code: string;
  readonly status: number;

  constructor(code: string, message: string, status = 400) {
    super(message);
    this.code = code;
    this.status = status;
  }
}
