/**
 * Secrets of the shape a deployment has (`openssl rand -base64 32`), for tests that run the
 * production rules, which refuse a guessable one (`"s".repeat(40)`, a placeholder word).
 */
export const SESSION_SECRET = 'qZ7v3Lw9Xk2Rm5Tn8Bc1Hy4Jd6Gf0PsEaUo+Wi';
export const DATA_KEY = 'N4tx8Ke2Wq7Zr1Vb5Mc9Lh3Yd6Sg0Fj/Ap+Uo=';
/** A chat system's client secret at the gateway's OpenID Provider. */
export const CHAT_SYSTEM_SECRET = 'c3Fh8Wk1Zq6Tx9Lr2Vn5Bm7Yd0Gs4Pj+Ea/Ui';
