// Validates an OpenAPI document (a JSON file) against the official OpenAPI 3.x schema
// with @seriousme/openapi-schema-validator; exits 1 with the errors when it is not valid.
// Usage: node validate-openapi.mjs FILE
import { Validator } from '@seriousme/openapi-schema-validator';

const validator = new Validator();
const result = await validator.validate(process.argv[2]);
if (result.valid) {
  console.log(`valid OpenAPI ${validator.version}`);
} else {
  console.error(JSON.stringify(result.errors, null, 2));
  process.exit(1);
}
