/**
 * The API route of the signed report links (resources/api.cjs builds it next to the ingest
 * routes of services/ingest/routes.ts): `GET /reports/{date}`, a Lambda proxy integration to the
 * function `reportLink` of serverless.yml. Unauthenticated by API Gateway on purpose: the
 * signature in the query is the authorization, checked by the function.
 */
export const reportRoute = {
  /** Stable identifier, used in CloudFormation logical ids (ApiMethodReportLinkGet). */
  id: 'ReportLinkGet',
  method: 'GET',
  path: '/reports/{date}',
  /** The path parameter API Gateway hands the function. */
  pathParameter: 'date',
  /** The framework's logical id of the function `reportLink`. */
  functionLogicalId: 'ReportLinkLambdaFunction',
} as const;
