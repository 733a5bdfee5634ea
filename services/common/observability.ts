import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';

/**
 * One logger and one metrics instance per Lambda process (Powertools reads the service name and
 * namespace from POWERTOOLS_SERVICE_NAME / POWERTOOLS_METRICS_NAMESPACE).
 */
export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'wa-analytics' });
export const metrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'WaAnalytics',
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'wa-analytics',
});
