import { LocalCatalog } from '../../shared/adapters/local/catalog';
import { LocalQueryEngine } from '../../shared/adapters/local/query-engine';
import { createPseudonymizer } from '../../shared/pii';
import { signMetaBody } from '../../shared/signature';
import { LocalDeliveryStream } from '../../local/delivery-stream';
import { createTransform } from '../../services/transform/handler';
import { envelopeRecordBytes, metaWebhook } from '../support/webhooks';
import { removeDir, tempDir } from './delivery-fixtures';

const SECRET = 'local-app-secret';
const ARRIVAL = Date.UTC(2025, 10, 13, 2, 30, 0); // 2025-11-12 23:30 in São Paulo

let dataDir: string;
beforeEach(async () => {
  dataDir = await tempDir();
});
afterEach(async () => {
  await removeDir(dataDir);
});

describe('LocalDeliveryStream with the real transform', () => {
  it('turns signed webhooks into raw_events rows and a forged one into a quarantine row, queryable by arrival partition', async () => {
    const catalog = await LocalCatalog.open(dataDir);
    const stream = await LocalDeliveryStream.open({
      dataDir,
      bufferBytes: 5 * 1024 * 1024,
      bufferMs: 60_000,
      timeZone: 'America/Sao_Paulo',
      transform: createTransform({ metaAppSecret: SECRET, wasenderSecret: null, timeZone: 'America/Sao_Paulo', pseudonymize: createPseudonymizer('raw', undefined) }),
      catalog,
    });
    const body = JSON.stringify(
      metaWebhook({
        taps: [{ id: 'wamid.IN1', from: '5511999990001', timestamp: 1_763_000_100, contextId: 'wamid.OUT1', kind: 'button_reply', buttonId: 'yes', title: 'Sim' }],
        statuses: [{ id: 'wamid.OUT1', status: 'delivered', timestamp: 1_763_000_050, recipient: '5511999990001' }],
      }),
    );
    const envelope = (signature: string) => envelopeRecordBytes({ source: 'meta', body, signature, receivedTs: ARRIVAL });
    await stream.put(envelope(signMetaBody(body, SECRET)), ARRIVAL);
    await stream.put(envelope(signMetaBody(body, 'wrong-secret')), ARRIVAL);
    await stream.close();

    const engine = await LocalQueryEngine.open(catalog);
    try {
      const rows = await engine.query('SELECT kind, event_id, button_id, context_wamid, reason, dt FROM whatsapp_analytics.raw_events ORDER BY kind, event_id');
      expect(rows.rows).toEqual([
        { kind: 'click', event_id: 'meta:wamid.IN1', button_id: 'yes', context_wamid: 'wamid.OUT1', reason: null, dt: '2025-11-12' },
        { kind: 'quarantine', event_id: expect.stringMatching(/^quarantine:meta:[0-9a-f]{40}$/), button_id: null, context_wamid: null, reason: 'bad_signature', dt: '2025-11-12' },
        { kind: 'status', event_id: 'meta:wamid.OUT1:delivered', button_id: null, context_wamid: null, reason: null, dt: '2025-11-12' },
      ]);
      expect((await engine.query('SELECT count(*) AS n FROM quarantine')).rows).toEqual([{ n: 1 }]);
    } finally {
      await engine.close();
    }
  });
});
