// A real OpenID provider on loopback for tests/test_webauth_oidc (panva/oidc-provider).
// Usage: node provider.mjs PORT REDIRECT_URI CLIENT_SECRET
// Accounts are fixed: any password is accepted by the development login form.
import Provider from 'oidc-provider';

const [port, redirectUri, clientSecret] = process.argv.slice(2);

const ACCOUNTS = {
  'hub-lead': { lat_role: 'hub-staff', lat_scope: ['hub:H1'] },
  'head-1': { lat_role: 'school_head', lat_scope: ['school:S1'] },
  'nobody': {},
};

const provider = new Provider(`http://127.0.0.1:${port}`, {
  clients: [{
    client_id: 'lat',
    client_secret: clientSecret,
    redirect_uris: [redirectUri],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  claims: { openid: ['sub'], profile: ['preferred_username', 'lat_role', 'lat_scope'] },
  conformIdTokenClaims: false, // put the profile claims into the ID token
  pkce: { required: () => true },
  features: { devInteractions: { enabled: true } },
  async findAccount(ctx, id) {
    return {
      accountId: id,
      async claims() { return { sub: id, preferred_username: id, ...(ACCOUNTS[id] ?? {}) }; },
    };
  },
});
provider.proxy = false;
provider.listen(Number(port), '127.0.0.1', () => { console.log('ready'); });
