export const floorActivities = {
  async nothing(): Promise<void> {},
}
