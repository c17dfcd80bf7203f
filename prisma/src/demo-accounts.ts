/**
 * Demo sign-ins created by the seed and printed by `npm start` in demo mode only. These passwords
 * are public: never run a demo seed against a production database.
 */
export const DEMO_PASSWORD = 'demo-password-2026';

export const DEMO_STAFF = [
  { role: 'admin', email: 'admin@demo.hub', name: '平台管理员' },
  { role: 'reviewer', email: 'reviewer@demo.hub', name: '审核员 王芳' },
  { role: 'moderator', email: 'moderator@demo.hub', name: '主持人 陈晨' },
] as const;

export const DEMO_MEMBERS = [
  { email: 'member@hzdianchi.demo', name: '李明', organization: 'hzdianchi' },
  { email: 'member@zju-tt.demo', name: '赵磊', organization: 'zju-tt' },
  { email: 'member@zzjqr.demo', name: '孙伟', organization: 'zzjqr' },
] as const;

export const DEMO_ACCOUNTS: Array<{ label: string; email: string; password: string }> = [
  ...DEMO_STAFF.map((s) => ({ label: `staff: ${s.role}`, email: s.email, password: DEMO_PASSWORD })),
  { label: 'member (approved enterprise)', email: DEMO_MEMBERS[0].email, password: DEMO_PASSWORD },
  { label: 'member (approved university)', email: DEMO_MEMBERS[1].email, password: DEMO_PASSWORD },
  { label: 'member (pending review)', email: DEMO_MEMBERS[2].email, password: DEMO_PASSWORD },
];
