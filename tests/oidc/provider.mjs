// A real OpenID Connect provider for Samspill's single sign-on tests:
// node-oidc-provider (npm "oidc-provider", MIT, a certified implementation)
// with an in-memory store, on 127.0.0.1 and a free port. It plays ID-porten:
// the login form asks for a test fødselsnummer ("pid") and a level of
// assurance; the subject is a pseudonym derived from the pid, and the pid is
// sent in the ID token as ID-porten and HelseID do.
//
// Usage: node provider.mjs CONFIG.json
// CONFIG: {"clients": [...client metadata...], "id_token_ttl": seconds}
// Prints one line, "listening <issuer>", when ready.
import { createHash, generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

import Provider from 'oidc-provider';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const accounts = new Map();

const page = (title, body) => `<!DOCTYPE html>
<html lang="nb"><head><meta charset="utf-8"><title>${title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><main><h1>${title}</h1>${body}</main></body></html>`;

const escape = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

async function readForm(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

const server = createServer();
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  const issuer = `http://127.0.0.1:${port}`;
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const signing = { ...privateKey.export({ format: 'jwk' }), kid: 'test-provider', use: 'sig', alg: 'RS256' };
  const ttl = config.id_token_ttl || 120;

  const provider = new Provider(issuer, {
    clients: config.clients,
    jwks: { keys: [signing] },
    cookies: { keys: ['test-provider-cookie-key'] },
    acrValues: ['idporten-loa-substantial', 'idporten-loa-high'],
    claims: { openid: ['sub', 'pid'] },
    // ID-porten and HelseID put pid in the ID token itself.
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx, form) => {
          ctx.body = page('Logge ut av testleverandøren?', `${form}
            <button type="submit" form="op.logoutForm" value="yes" name="logout">Ja, logg ut</button>`);
        },
        postLogoutSuccessSource: async (ctx) => {
          ctx.body = page('Du er logget ut av testleverandøren', '');
        },
      },
    },
    ttl: {
      AccessToken: 300,
      AuthorizationCode: 60,
      Grant: 3600,
      IdToken: ttl,
      Interaction: 600,
      Session: 3600,
    },
    interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
    async findAccount(ctx, id) {
      const account = accounts.get(id);
      if (!account) return undefined;
      return { accountId: id, claims: async () => ({ sub: id, pid: account.pid }) };
    },
    renderError: async (ctx, out) => {
      ctx.type = 'html';
      ctx.body = page('Feil hos testleverandøren', `<p>${escape(out.error)}: ${escape(out.error_description || '')}</p>`);
    },
  });
  const callback = provider.callback();

  server.on('request', async (req, res) => {
    if (req.url === '/favicon.ico') {
      res.statusCode = 204;
      res.end();
      return;
    }
    const match = req.url.match(/^\/interaction\/([^/?]+)(\/(login|abort))?/);
    if (!match) {
      callback(req, res);
      return;
    }
    try {
      const details = await provider.interactionDetails(req, res);
      if (req.method === 'GET') {
        res.setHeader('Content-Type', 'text/html; charset=utf-8');
        res.end(page('Logg inn hos testleverandøren', `
          <form method="post" action="/interaction/${details.uid}/login">
            <label for="pid">Fødselsnummer (test)</label>
            <input id="pid" name="pid" autocomplete="off">
            <label for="acr">Sikkerhetsnivå</label>
            <select id="acr" name="acr">
              <option value="idporten-loa-substantial">Betydelig</option>
              <option value="idporten-loa-high">Høyt</option>
            </select>
            <button type="submit">Logg inn</button>
          </form>
          <form method="post" action="/interaction/${details.uid}/abort">
            <button type="submit">Avbryt</button>
          </form>`));
        return;
      }
      const form = await readForm(req);
      if (match[3] === 'abort') {
        await provider.interactionFinished(req, res, {
          error: 'access_denied', error_description: 'The person cancelled',
        }, { mergeWithLastSubmission: false });
        return;
      }
      const pid = form.get('pid') || '';
      const accountId = createHash('sha256').update(`${issuer}:${pid}`).digest('base64url').slice(0, 32);
      accounts.set(accountId, { pid });
      const grant = new provider.Grant({ accountId, clientId: details.params.client_id });
      grant.addOIDCScope(details.params.scope);
      grant.addOIDCClaims(['pid']);
      const grantId = await grant.save();
      await provider.interactionFinished(req, res, {
        login: { accountId, acr: form.get('acr'), amr: ['pwd'] },
        consent: { grantId },
      }, { mergeWithLastSubmission: false });
    } catch (error) {
      res.statusCode = 400;
      res.setHeader('Content-Type', 'text/html; charset=utf-8');
      res.end(page('Feil hos testleverandøren', `<p>${escape(error.message)}</p>`));
    }
  });
  process.stdout.write(`listening ${issuer}\n`);
});
