// A real OpenID provider for the tests: the certified `oidc-provider` package on loopback.
//
// Usage: node tests/sso/oidc_provider.mjs '{"ports": [P1, P2], "redirect_uris": [...]}'
// Starts one provider per port (issuer http://127.0.0.1:PORT), all signing with the same key,
// each with two confidential clients ("instrument-share" and "another-client"). The login
// page takes any login name: the account's claims are derived from it (e-mail
// <login>@sso.test.example unless the login has an "@"), plus one static account "zhang.san".
// Consent is given at once. Prints one JSON line {"issuers": [...]} when listening.
import Provider from "oidc-provider";
import { generateKeyPair, exportJWK } from "jose";

const config = JSON.parse(process.argv[2] || "{}");
const ports = config.ports || [4010];
const redirectUris = config.redirect_uris || ["http://testserver/sso/callback"];
const STATIC = { "zhang.san": { email: "zhang.san@sso.test.example", name: "张三", employee_number: "T2001" } };

function claimsOf(login) {
  if (STATIC[login]) { return STATIC[login]; }
  const email = login.includes("@") ? login : `${login}@sso.test.example`;
  return { email, name: `User ${login.split("@")[0]}`, employee_number: `S-${login.split("@")[0]}` };
}

async function readForm(req) {
  let data = "";
  for await (const chunk of req) { data += chunk; }
  return new URLSearchParams(data);
}

const LOGIN_FORM = (uid) => `<!doctype html><html><head><meta charset="utf-8"><title>Test IdP</title></head>
<body><h1>Test identity provider</h1><form method="post" action="/interaction/${uid}/login">
<label>Login <input name="login" autofocus></label> <button type="submit">Sign in</button></form></body></html>`;

async function interactions(provider, ctx, next) {
  const match = ctx.path.match(/^\/interaction\/([^/]+)(\/login)?$/);
  if (!match) { return next(); }
  const details = await provider.interactionDetails(ctx.req, ctx.res);
  let result;
  if (details.prompt.name === "login") {
    if (ctx.method !== "POST") { ctx.type = "html"; ctx.body = LOGIN_FORM(details.uid); return; }
    const login = (await readForm(ctx.req)).get("login") || "";
    result = { login: { accountId: login.trim() } };
  } else {
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId: details.session.accountId, clientId: details.params.client_id });
    const missing = details.prompt.details;
    if (missing.missingOIDCScope) { grant.addOIDCScope(missing.missingOIDCScope.join(" ")); }
    if (missing.missingOIDCClaims) { grant.addOIDCClaims(missing.missingOIDCClaims); }
    result = { consent: { grantId: await grant.save() } };
  }
  const redirectTo = await provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: true });
  ctx.status = 303;
  ctx.redirect(redirectTo);
}

const { privateKey } = await generateKeyPair("RS256", { extractable: true });
const jwk = { ...(await exportJWK(privateKey)), kid: "test-key", use: "sig", alg: "RS256" };
const issuers = [];
for (const port of ports) {
  const issuer = `http://127.0.0.1:${port}`;
  const clients = ["instrument-share", "another-client"].map((id) => ({
    client_id: id, client_secret: `${id}-secret`, redirect_uris: redirectUris,
    response_types: ["code"], grant_types: ["authorization_code"],
  }));
  const provider = new Provider(issuer, {
    clients,
    jwks: { keys: [jwk] },
    cookies: { keys: ["test-cookie-key-not-secret"] },
    claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name", "employee_number"] },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
    pkce: { required: () => true },
    findAccount: async (ctx, id) => ({
      accountId: id,
      claims: async () => ({ sub: id, email_verified: true, ...claimsOf(id) }),
    }),
  });
  provider.use((ctx, next) => interactions(provider, ctx, next));
  await new Promise((resolve) => provider.listen(port, "127.0.0.1", resolve));
  issuers.push(issuer);
}
process.stdout.write(JSON.stringify({ issuers }) + "\n");
