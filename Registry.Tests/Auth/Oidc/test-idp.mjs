// A real OpenID provider for the SSO tests: the npm package oidc-provider (pinned in scripts/package.json) on
// loopback, with one confidential client and the accounts of a JSON file that the tests rewrite between sign-ins
// (so a group removed in "the provider" is seen at the next sign-in). Sign-in uses oidc-provider's development
// interactions (a login form, then a consent page).
// Environment: OIDC_PROVIDER_MODULE (path to oidc-provider's lib/index.js), PORT, CLIENT_ID, CLIENT_SECRET,
// REDIRECT_URI, ACCOUNTS_FILE ({"alice": {"preferred_username": "alice", "groups": ["acme/devs"]}, ...}).
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const { default: Provider } = await import(pathToFileURL(process.env.OIDC_PROVIDER_MODULE).href);
const issuer = `http://127.0.0.1:${process.env.PORT}`;

const provider = new Provider(issuer, {
  clients: [{
    client_id: process.env.CLIENT_ID,
    client_secret: process.env.CLIENT_SECRET,
    redirect_uris: [process.env.REDIRECT_URI],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_post',
  }],
  claims: { openid: ['sub'], profile: ['preferred_username', 'name'], groups: ['groups'] },
  scopes: ['openid', 'profile', 'groups'],
  pkce: { required: () => true },
  // Claims in the ID token as well as from userinfo, as many providers do for groups.
  conformIdTokenClaims: false,
  async findAccount(ctx, id) {
    const accounts = JSON.parse(readFileSync(process.env.ACCOUNTS_FILE, 'utf8'));
    const account = accounts[id];
    if (!account) return undefined;
    return { accountId: id, async claims() { return { sub: id, ...account }; } };
  },
});
provider.proxy = false;
provider.listen(Number(process.env.PORT), '127.0.0.1', () => console.log(`ready ${issuer}`));
