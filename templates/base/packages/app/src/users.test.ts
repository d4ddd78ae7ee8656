import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { UserModel, closeDatabase } from "@repo/core";

afterAll(closeDatabase);

describe("UserModel", () => {
  it("creates a user and reads it back", async () => {
    const email = `${randomUUID()}@example.com`;
    const created = await UserModel.create({ email });
    expect(created).toMatchObject({ email, welcomeEmailSentAt: null });
    expect(created.id).toEqual(expect.any(String));

    const loaded = await UserModel.get(created.id);
    expect(loaded).toEqual(created);
  });

  it("returns null for an unknown id", async () => {
    expect(await UserModel.get(randomUUID())).toBeNull();
  });

  it("records the welcome email", async () => {
    const user = await UserModel.create({ email: `${randomUUID()}@example.com` });
    expect(await UserModel.markWelcomeEmailSent(user.id)).toBe(true);
    expect((await UserModel.get(user.id))?.welcomeEmailSentAt).toBeInstanceOf(Date);
  });
});
