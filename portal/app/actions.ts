"use server";
// Server actions: thin wrappers, one per guarded action (lib/actions.ts). Each goes through
// `run`, which checks the Origin, resolves the session into an actor and invokes the guard.
// A unit test checks that every export here calls `run(actions.<name>, ...)`.
import { actions } from "@/lib/actions";
import { run } from "@/lib/session";

export async function createTeamAction(input: unknown) {
  return run(actions.createTeam, input);
}
export async function removeMemberAction(input: unknown) {
  return run(actions.removeMember, input);
}
export async function createTeamInviteAction(input: unknown) {
  return run(actions.createTeamInvite, input);
}
export async function resetTeamInvitesAction(input: unknown) {
  return run(actions.resetTeamInvites, input);
}
export async function acceptInviteAction(input: unknown) {
  return run(actions.acceptInvite, input);
}
export async function createCredentialAction(input: unknown) {
  return run(actions.createCredential, input);
}
export async function createKeyPairCredentialAction(input: unknown) {
  return run(actions.createKeyPairCredential, input);
}
export async function tryKeyPairCredentialAction(input: unknown) {
  return run(actions.tryKeyPairCredential, input);
}
export async function rotateCredentialAction(input: unknown) {
  return run(actions.rotateCredential, input);
}
export async function revokeCredentialAction(input: unknown) {
  return run(actions.revokeCredential, input);
}
export async function tryApiRequestAction(input: unknown) {
  return run(actions.tryApiRequest, input);
}
export async function tryCredentialAction(input: unknown) {
  return run(actions.tryCredential, input);
}
export async function adminCreateTeamAction(input: unknown) {
  return run(actions.adminCreateTeam, input);
}
export async function adminDeleteTeamAction(input: unknown) {
  return run(actions.adminDeleteTeam, input);
}
export async function adminCreateAdminInviteAction(input: unknown) {
  return run(actions.adminCreateAdminInvite, input);
}
export async function adminRemoveAdminAction(input: unknown) {
  return run(actions.adminRemoveAdmin, input);
}
export async function adminRevokeAdminInviteAction(input: unknown) {
  return run(actions.adminRevokeAdminInvite, input);
}
export async function rotateCredentialsAction(input: unknown) {
  return run(actions.rotateCredentials, input);
}
