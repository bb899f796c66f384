// The trade-in's own refusal: codes the shop will not take, named by their place in the request only.
import { DomainError, type FieldProblem } from '../errors.js';

export class CodesRefused extends DomainError {
  constructor(message: string, readonly fields: FieldProblem[]) {
    super('codes_refused', 409, message, { fields });
  }
}
