// The generated operations manual of the example client names every flow, schedule, trigger and
// exception type its configuration contains — compared against the loaded configuration itself —
// in Markdown and HTML, and carries no secret.
import assert from 'node:assert/strict';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadProject } from '../src/config/load.js';
import { EXCEPTION_TYPES } from '../src/engine/exception-types.js';
import { packageRoot } from '../src/paths.js';
import { cronInWords } from '../src/reports/manual.js';
import { runCli } from './support/corpus.js';

describe('storelink manual', () => {
  it('names every flow, schedule, trigger and exception type of the example client, in Markdown and HTML', async () => {
    const out = await mkdtemp(join(tmpdir(), 'storelink-manual-'));
    const result = await runCli(['manual', 'examples/acme-outdoor', '--out', out], { cwd: packageRoot, env: {} });
    assert.equal(result.code, 0, result.stderr);
    const md = await readFile(join(out, 'operations-manual.md'), 'utf8');
    const html = await readFile(join(out, 'operations-manual.html'), 'utf8');
    const loaded = await loadProject(join(packageRoot, 'examples', 'acme-outdoor'), { cwd: packageRoot, env: {} });
    const project = loaded.project!;
    const flows = project.config.flows.filter((f) => f.enabled);
    assert.equal(flows.length, 9);
    for (const flow of flows) {
      const section = md.slice(md.indexOf(`### ${flow.name}\n`), md.indexOf('\n### ', md.indexOf(`### ${flow.name}\n`) + 1));
      assert.ok(md.includes(`### ${flow.name}\n`), `a section for ${flow.name}`);
      assert.match(html, new RegExp(`<h3[^>]*>${flow.name}</h3>`));
      if (flow.schedule) assert.ok(section.includes(`\`${flow.schedule}\``) && section.includes(cronInWords(flow.schedule)), `${flow.name}: its schedule`);
      if (flow.reconcile) assert.ok(section.includes(`\`${flow.reconcile}\``), `${flow.name}: its reconciliation`);
      for (const trigger of flow.triggers) {
        if (trigger.kind === 'poll') assert.ok(section.includes(`every ${trigger.everyMs / 1000} s`), `${flow.name}: its poll`);
        if (trigger.kind === 'webhook') for (const topic of trigger.topics) assert.ok(section.includes(`\`${topic}\``), `${flow.name}: webhook ${topic}`);
        if (trigger.kind === 'after') assert.ok(section.includes(`after ${trigger.flow}`), `${flow.name}: after ${trigger.flow}`);
      }
      for (const type of project.transforms.get(flow.name)!.exceptionsRaised) assert.ok(section.includes(`\`${type}\``), `${flow.name} raises ${type}`);
      assert.ok(md.includes(`| ${flow.name} |`), `${flow.name} in the master-of-data table`);
    }
    const raised = new Set(flows.flatMap((f) => project.transforms.get(f.name)!.exceptionsRaised));
    assert.ok(raised.size >= 5, `the example's flows raise ${[...raised].join(', ')}`);
    for (const [type, info] of Object.entries(EXCEPTION_TYPES)) {
      const section = md.slice(md.indexOf(`### ${type}\n`), md.indexOf('\n### ', md.indexOf(`### ${type}\n`) + 1));
      assert.ok(md.includes(`### ${type}\n`), `a section for ${type}`);
      assert.ok(section.includes(`**Owner:** ${project.config.exceptionOwners[type] ?? info.owner}`), `${type}: its owner`);
      assert.ok(section.includes(info.action), `${type}: what to do`);
    }
    for (const heading of ['## 5. Daily routine', '## 6. Weekly routine', '## 7. Escalation']) assert.ok(md.includes(heading), heading);
    for (const secret of ['sandbox-oro-secret', 'sandbox-ls-secret', 'sandbox-refresh-token', 'sandbox-webhook-secret']) {
      assert.equal(md.includes(secret) || html.includes(secret), false, secret);
    }
  });

  it('says schedules in words', () => {
    assert.equal(cronInWords('*/15 * * * *'), 'every 15 minutes');
    assert.equal(cronInWords('0 3 * * *'), 'every day at 03:00');
    assert.equal(cronInWords('30 7 * * 1'), 'every Monday at 07:30');
    assert.equal(cronInWords('0 * * * *'), 'every hour at minute 0');
    assert.equal(cronInWords('5 4 1-7 * *'), 'on the schedule "5 4 1-7 * *"');
  });
});
